package io.beamtrain.pipelines.predict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.preprocess.BigQueryRead;
import io.beamtrain.pipelines.preprocess.RowKey;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.serving.Prediction;
import io.beamtrain.trainer.serving.ServingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Scores raw rows with an exported SavedModel: {@code InputRow -> } one JSON line with the row's
 * columns (or only {@code --keyColumn}) plus the model's outputs, {@code class} and {@code
 * probabilities} (in the label vocabulary's order) for classification, {@code prediction} for
 * regression.
 *
 * <p>Rows are scored in batches of up to {@code batchSize} collected within a bundle (one
 * TensorFlow session run per batch, not per row). The model is loaded once per worker JVM and
 * shared by all DoFn threads ({@link SharedServingModels}). A row the model cannot take (a
 * numeric column holding text) goes to {@link #REJECTED} with the reason; when a batch fails
 * that way its rows are retried one by one, so one bad row does not reject its neighbours.
 * Counters in {@code beamtrain.predict}: {@code rows_scored}, {@code rows_rejected}; distribution
 * {@code batch_size}.
 */
public final class Predict extends PTransform<PCollection<InputRow>, PCollectionTuple> {
  public static final String METRICS_NAMESPACE = "beamtrain.predict";
  public static final TupleTag<String> PREDICTIONS = new TupleTag<>() {};
  public static final TupleTag<Rejection> REJECTED = new TupleTag<>() {};
  public static final int DEFAULT_BATCH_SIZE = 256;

  private final String modelDir;
  private final StorageConfig storage;
  private final int batchSize;
  private final String keyColumn;

  private Predict(String modelDir, StorageConfig storage, int batchSize, String keyColumn) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
    }
    this.modelDir = modelDir;
    this.storage = storage;
    this.batchSize = batchSize;
    this.keyColumn = keyColumn;
  }

  /** Scores with the SavedModel at {@code modelDir}, batches of {@value #DEFAULT_BATCH_SIZE}. */
  public static Predict with(String modelDir, StorageConfig storage) {
    return new Predict(modelDir, storage, DEFAULT_BATCH_SIZE, null);
  }

  public Predict withBatchSize(int size) {
    return new Predict(modelDir, storage, size, keyColumn);
  }

  /** Echo only this column of each row (null: every column). */
  public Predict withKeyColumn(String column) {
    return new Predict(modelDir, storage, batchSize, column);
  }

  @Override
  public PCollectionTuple expand(PCollection<InputRow> rows) {
    PCollectionTuple out = rows.apply("Score",
        ParDo.of(new PredictFn(modelDir, storage, batchSize, keyColumn))
            .withOutputTags(PREDICTIONS, TupleTagList.of(REJECTED)));
    out.get(PREDICTIONS).setCoder(StringUtf8Coder.of());
    out.get(REJECTED).setCoder(SerializableCoder.of(Rejection.class));
    return out;
  }

  private static final class PredictFn extends DoFn<InputRow, String> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String modelDir;
    private final StorageConfig storage;
    private final int batchSize;
    private final String keyColumn;
    private final Counter scored = Metrics.counter(METRICS_NAMESPACE, "rows_scored");
    private final Counter rejected = Metrics.counter(METRICS_NAMESPACE, "rows_rejected");
    private final Distribution batchSizes = Metrics.distribution(METRICS_NAMESPACE, "batch_size");
    private transient ServingModel model;
    private transient List<Pending> batch;

    /** A buffered row with the timestamp and window to emit its results in. */
    private record Pending(InputRow row, Instant timestamp, BoundedWindow window) {}

    /** Where a flush sends its results: the process context or the finish-bundle context. */
    private interface Emitter {
      <T> void emit(TupleTag<T> tag, T value, Pending source);
    }

    PredictFn(String modelDir, StorageConfig storage, int batchSize, String keyColumn) {
      this.modelDir = modelDir;
      this.storage = storage;
      this.batchSize = batchSize;
      this.keyColumn = keyColumn;
    }

    @Setup
    public void setup() {
      model = SharedServingModels.acquire(modelDir, storage);
    }

    @StartBundle
    public void startBundle() {
      batch = new ArrayList<>(batchSize);
    }

    @ProcessElement
    public void process(
        @Element InputRow row, @Timestamp Instant timestamp, BoundedWindow window, MultiOutputReceiver out) {
      batch.add(new Pending(row, timestamp, window));
      if (batch.size() >= batchSize) {
        flush(new Emitter() {
          @Override
          public <T> void emit(TupleTag<T> tag, T value, Pending source) {
            out.get(tag).output(value);
          }
        });
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      flush(new Emitter() {
        @Override
        public <T> void emit(TupleTag<T> tag, T value, Pending source) {
          context.output(tag, value, source.timestamp(), source.window());
        }
      });
    }

    @Teardown
    public void teardown() {
      if (model != null) {
        model = null;
        SharedServingModels.release(modelDir, storage);
      }
    }

    private void flush(Emitter emitter) {
      if (batch.isEmpty()) {
        return;
      }
      List<Pending> pending = batch;
      batch = new ArrayList<>(batchSize);
      batchSizes.update(pending.size());
      try {
        List<Prediction> predictions = model.predict(pending.stream().map(p -> p.row().cells()).toList());
        for (int i = 0; i < pending.size(); i++) {
          emitter.emit(PREDICTIONS, toJson(pending.get(i).row(), predictions.get(i)), pending.get(i));
          scored.inc();
        }
      } catch (BadInputException batchFailure) {
        for (Pending p : pending) {
          scoreAlone(p, emitter);
        }
      }
    }

    private void scoreAlone(Pending p, Emitter emitter) {
      try {
        Prediction prediction = model.predict(List.of(p.row().cells())).get(0);
        emitter.emit(PREDICTIONS, toJson(p.row(), prediction), p);
        scored.inc();
      } catch (BadInputException e) {
        rejected.inc();
        String detail = e.getMessage().replaceFirst("^row 0: ", "");
        emitter.emit(REJECTED, new Rejection(p.row().file(), p.row().line(), "INVALID_VALUE", detail,
            rawText(p.row()), keyOf(p.row())), p);
      }
    }

    private String toJson(InputRow row, Prediction prediction) {
      ObjectNode node = JSON.createObjectNode();
      if (keyColumn != null) {
        node.put(keyColumn, row.cells().get(keyColumn));
      } else {
        for (Map.Entry<String, String> cell : row.cells().entrySet()) {
          node.put(cell.getKey(), cell.getValue());
        }
      }
      if (prediction.isClassification()) {
        node.put(ServingModel.CLASS_OUTPUT, prediction.classLabel());
        ArrayNode probabilities = node.putArray(ServingModel.PROBABILITIES_OUTPUT);
        for (float p : prediction.probabilities()) {
          probabilities.add(p);
        }
      } else {
        node.put(ServingModel.PREDICTION_OUTPUT, prediction.value());
      }
      try {
        return JSON.writeValueAsString(node);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a prediction", e);
      }
    }

    /** A BigQuery row's position, which has no line; null for a file's row. */
    private static String keyOf(InputRow row) {
      return BigQueryRead.isBigQuery(row.file())
          ? RowKey.of(row.cells().values().toArray(String[]::new)) : null;
    }

    private static String rawText(InputRow row) {
      try {
        return JSON.writeValueAsString(row.cells());
      } catch (JsonProcessingException e) {
        return row.cells().toString();
      }
    }
  }
}
