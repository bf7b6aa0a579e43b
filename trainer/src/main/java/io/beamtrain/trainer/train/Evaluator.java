package io.beamtrain.trainer.train;

import io.beamtrain.trainer.data.DenseData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.SharedSplits;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.model.ClassificationHead;
import io.beamtrain.trainer.model.Head;
import io.beamtrain.trainer.model.RegressionHead;
import io.beamtrain.trainer.model.TrainingGraph;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Evaluates the model on the eval split: runs the inference pass (no dropout) over the split in
 * chunks of up to {@value #CHUNK_ROWS} rows and feeds the outputs to {@link EvalMetrics}.
 *
 * <p>An eval split that fits in memory is read from one {@link DenseData} (shared by every trial
 * of the JVM that evaluates on it, see {@link SharedSplits}: each chunk becomes tensors only for
 * the run that feeds it, so N trials do not hold N tensor copies of the split); a larger one is
 * streamed from its shards each time. Not thread-safe; close it to release the shared split.
 */
public final class Evaluator implements AutoCloseable {
  /** Rows per inference run: large enough to amortise a run, small enough to bound memory. */
  public static final int CHUNK_ROWS = 8192;

  private final Head head;
  private final int numClasses;
  private final DenseData inMemory;
  private final SharedSplits.Lease lease;
  private final ExampleDataset streamed;

  private record Chunk(int rows, TFloat32 features, Tensor labels, int[] classIds, float[] targets)
      implements AutoCloseable {
    @Override
    public void close() {
      try (features;
          labels) {
        // closes both
      }
    }
  }

  private Evaluator(Head head, DenseData inMemory, SharedSplits.Lease lease, ExampleDataset streamed) {
    this.head = head;
    this.numClasses = head instanceof ClassificationHead c ? c.classes().size() : 0;
    this.inMemory = inMemory;
    this.lease = lease;
    this.streamed = streamed;
  }

  /** An evaluator of a model with {@code head} over {@code eval}, held in memory. */
  public static Evaluator inMemory(DenseData eval, Head head) {
    return new Evaluator(head, eval, null, null);
  }

  /** The same over a shared split; {@link #close} releases {@code lease}. */
  public static Evaluator inMemory(SharedSplits.Lease lease, Head head) {
    return new Evaluator(head, lease.data(), lease, null);
  }

  /** An evaluator that reads the eval split of {@code dataset} from its shards on every call. */
  public static Evaluator streaming(ExampleDataset dataset, Head head) {
    return new Evaluator(head, null, null, dataset);
  }

  private static Chunk chunk(DenseData data, int start, int rows, Head head) {
    int width = data.width();
    TFloat32 features = TFloat32.tensorOf(Shape.of(rows, width));
    try {
      features.asRawTensor().data().asFloats().write(data.features(), start * width, rows * width);
      if (data.isClassification()) {
        int[] ids = java.util.Arrays.copyOfRange(data.classIds(), start, start + rows);
        TInt32 labels = TInt32.tensorOf(Shape.of(rows));
        labels.asRawTensor().data().asInts().write(ids);
        return new Chunk(rows, features, labels, ids, null);
      }
      float[] targets = java.util.Arrays.copyOfRange(data.targets(), start, start + rows);
      RegressionHead regression = (RegressionHead) head;
      float[] standardized = new float[rows];
      for (int i = 0; i < rows; i++) {
        standardized[i] = regression.standardize(targets[i]);
      }
      TFloat32 labels = TFloat32.tensorOf(Shape.of(rows));
      labels.asRawTensor().data().asFloats().write(standardized);
      return new Chunk(rows, features, labels, null, targets);
    } catch (RuntimeException e) {
      features.close();
      throw e;
    }
  }

  /** The metrics of the model in {@code session} on the whole eval split. */
  public Map<String, Double> evaluate(Session session, TrainingGraph model) {
    EvalMetrics metrics =
        numClasses > 0 ? EvalMetrics.classification(numClasses) : EvalMetrics.regression();
    if (streamed == null) {
      for (int start = 0; start < inMemory.n(); start += CHUNK_ROWS) {
        try (Chunk chunk = chunk(inMemory, start, Math.min(CHUNK_ROWS, inMemory.n() - start), head)) {
          run(session, model, chunk, metrics);
        }
      }
    } else {
      streamed.forEachChunk(
          Split.EVAL,
          CHUNK_ROWS,
          data -> {
            try (Chunk chunk = chunk(data, 0, data.n(), head)) {
              run(session, model, chunk, metrics);
            }
          });
    }
    return metrics.result();
  }

  private void run(Session session, TrainingGraph model, Chunk chunk, EvalMetrics metrics) {
    try (Result result =
        session
            .runner()
            .feed(model.features(), chunk.features())
            .feed(model.labels(), chunk.labels())
            .fetch(model.evalLoss())
            .fetch(model.evalOutput())
            .run()) {
      float[] losses = new float[chunk.rows()];
      ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(losses);
      float[] outputs = new float[chunk.rows() * Math.max(1, numClasses)];
      ((TFloat32) result.get(1)).asRawTensor().data().asFloats().read(outputs);
      if (numClasses > 0) {
        metrics.addClassified(chunk.rows(), losses, outputs, chunk.classIds());
      } else {
        metrics.addRegressed(chunk.rows(), losses, outputs, chunk.targets());
      }
    }
  }

  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }
}
