package io.beamtrain.trainer.serving;

import io.beamtrain.checkpointing.SavedModels;
import io.beamtrain.checkpointing.InvalidSavedModelException;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.NativeTensorFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A SavedModel with beamtrain's serving signature ({@code serving_default}, tag {@code serve}):
 * raw feature columns in, {@code class} + {@code probabilities} or {@code prediction} out (see
 * DESIGN.md). It scores raw rows as strings, the way a CSV or JSON line gives them.
 *
 * <p>Input conversion: a {@code DT_FLOAT} input parses the cell as a number ({@code null} or blank
 * is missing, fed as NaN); a {@code DT_STRING} input takes the cell as-is ({@code null} becomes
 * {@code ""}). Columns the signature does not name are ignored; a column absent from a row counts
 * as missing. An unparsable number is a {@link BadInputException} naming the column and the row.
 *
 * <p>A {@code gs://} model is first downloaded to a local temporary directory, which {@link
 * #close()} deletes. Thread-safe: {@link #predict} may run concurrently (TensorFlow sessions
 * allow concurrent runs); {@code close()} waits for running predictions.
 */
public final class ServingModel implements AutoCloseable {
  public static final String SIGNATURE = "serving_default";
  public static final String TAG = "serve";
  public static final String CLASS_OUTPUT = "class";
  public static final String PROBABILITIES_OUTPUT = "probabilities";
  public static final String PREDICTION_OUTPUT = "prediction";

  private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);

  private final String source;
  private final SavedModelBundle bundle;
  private final Path downloaded;
  private final Map<String, TensorInfo> inputs;
  private final Map<String, TensorInfo> outputs;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private ServingModel(
      String source, SavedModelBundle bundle, Path downloaded, SignatureDef signature) {
    this.source = source;
    this.bundle = bundle;
    this.downloaded = downloaded;
    this.inputs = new TreeMap<>(signature.getInputsMap());
    this.outputs = new LinkedHashMap<>(signature.getOutputsMap());
  }

  /**
   * Loads the SavedModel at {@code savedModelDir} (local or {@code gs://}). A directory without a
   * SavedModel, one TensorFlow cannot load (a corrupt {@code saved_model.pb}, a truncated variables
   * file: the message names the file), or one without a usable {@value #SIGNATURE} signature, is a
   * BadInputException.
   */
  public static ServingModel load(String savedModelDir, StorageConfig config) {
    NativeTensorFlow.requireSingleCopy();
    Path downloaded = StoragePaths.isGcs(savedModelDir) ? download(savedModelDir, config) : null;
    Path local = downloaded != null ? downloaded : Path.of(savedModelDir);
    try {
      if (!Files.isRegularFile(local.resolve("saved_model.pb"))) {
        throw new BadInputException(savedModelDir + ": no saved_model.pb, not a SavedModel");
      }
      SavedModelBundle bundle = loadBundle(savedModelDir, local);
      try {
        SignatureDef signature = bundle.metaGraphDef().getSignatureDefMap().get(SIGNATURE);
        if (signature == null) {
          throw new BadInputException(
              savedModelDir + ": has no '" + SIGNATURE + "' signature, only "
                  + bundle.metaGraphDef().getSignatureDefMap().keySet());
        }
        checkSignature(savedModelDir, signature);
        return new ServingModel(savedModelDir, bundle, downloaded, signature);
      } catch (RuntimeException e) {
        bundle.close();
        throw e;
      }
    } catch (RuntimeException e) {
      deleteRecursively(downloaded);
      throw e;
    }
  }

  /** The bundle, or a BadInputException naming the model (as the caller gave it) and the file. */
  private static SavedModelBundle loadBundle(String source, Path local) {
    try {
      return SavedModels.load(local.toString(), StorageConfig.defaults(), TAG);
    } catch (InvalidSavedModelException e) {
      String localDir = local + "/";
      String file = e.file().startsWith(localDir) ? e.file().substring(localDir.length()) : e.file();
      throw new BadInputException(source + ": cannot load the SavedModel, " + file
          + " is corrupt or truncated: " + e.problem().replace(local.toString(), source), e);
    }
  }

  /** Input column names, sorted (a signature's inputs have no order of their own). */
  public List<String> inputNames() {
    return inputs.keySet().stream().sorted().toList();
  }

  /** Whether the model outputs classes (else a regression {@code prediction}). */
  public boolean isClassification() {
    return outputs.containsKey(CLASS_OUTPUT) || outputs.containsKey(PROBABILITIES_OUTPUT);
  }

  /** Scores raw rows (column -> cell text); one prediction per row, in order. */
  public List<Prediction> predict(List<Map<String, String>> rows) {
    if (rows.isEmpty()) {
      return List.of();
    }
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException(source + ": model is closed");
      }
      List<Tensor> feeds = new ArrayList<>();
      try {
        Session.Runner runner = bundle.session().runner();
        for (Map.Entry<String, TensorInfo> input : inputs.entrySet()) {
          Tensor t = inputTensor(input.getKey(), input.getValue().getDtype(), rows);
          feeds.add(t);
          runner.feed(input.getValue().getName(), t);
        }
        List<String> fetched = new ArrayList<>();
        for (String name : List.of(CLASS_OUTPUT, PROBABILITIES_OUTPUT, PREDICTION_OUTPUT)) {
          if (outputs.containsKey(name)) {
            runner.fetch(outputs.get(name).getName());
            fetched.add(name);
          }
        }
        try (Result result = runner.run()) {
          return toPredictions(rows.size(), fetched, result);
        }
      } finally {
        feeds.forEach(Tensor::close);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      bundle.close();
      deleteRecursively(downloaded);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static Tensor inputTensor(String column, DataType type, List<Map<String, String>> rows) {
    int n = rows.size();
    if (type == DataType.DT_FLOAT) {
      float[] values = new float[n];
      for (int r = 0; r < n; r++) {
        values[r] = parseNumber(rows.get(r).get(column), column, r);
      }
      return TFloat32.vectorOf(values);
    }
    String[] values = new String[n];
    for (int r = 0; r < n; r++) {
      String cell = rows.get(r).get(column);
      values[r] = cell == null ? "" : cell;
    }
    return TString.vectorOf(values);
  }

  private static float parseNumber(String cell, String column, int row) {
    if (cell == null || cell.isBlank()) {
      return Float.NaN;
    }
    try {
      return Float.parseFloat(cell.trim());
    } catch (NumberFormatException e) {
      throw new BadInputException(
          "row " + row + ": column '" + column + "': cannot parse '" + cell + "' as a number", e);
    }
  }

  private List<Prediction> toPredictions(int n, List<String> fetched, Result result) {
    String[] classes = null;
    float[] probabilities = null;
    float[] values = null;
    int k = 0;
    for (int i = 0; i < fetched.size(); i++) {
      Tensor t = result.get(i);
      switch (fetched.get(i)) {
        case CLASS_OUTPUT -> {
          classes = new String[n];
          int[] at = {0};
          String[] out = classes;
          ((TString) t).scalars().forEach(s -> out[at[0]++] = s.getObject());
        }
        case PROBABILITIES_OUTPUT -> {
          k = (int) (t.shape().size() / n);
          probabilities = new float[n * k];
          ((TFloat32) t).copyTo(DataBuffers.of(probabilities, false, false));
        }
        default -> {
          values = new float[n];
          ((TFloat32) t).copyTo(DataBuffers.of(values, false, false));
        }
      }
    }
    List<Prediction> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      if (values != null) {
        out.add(Prediction.regression(values[r]));
      } else {
        float[] p =
            probabilities == null ? null : Arrays.copyOfRange(probabilities, r * k, (r + 1) * k);
        out.add(Prediction.classification(classes == null ? null : classes[r], p));
      }
    }
    return out;
  }

  private static void checkSignature(String dir, SignatureDef signature) {
    signature
        .getInputsMap()
        .forEach(
            (name, info) -> {
              if (info.getDtype() != DataType.DT_FLOAT && info.getDtype() != DataType.DT_STRING) {
                throw new BadInputException(
                    dir + ": input '" + name + "' has type " + info.getDtype()
                        + "; a serving input must be DT_FLOAT or DT_STRING");
              }
            });
    boolean classification =
        signature.containsOutputs(CLASS_OUTPUT) || signature.containsOutputs(PROBABILITIES_OUTPUT);
    if (!classification && !signature.containsOutputs(PREDICTION_OUTPUT)) {
      throw new BadInputException(
          dir + ": signature '" + SIGNATURE + "' has none of the outputs class, probabilities,"
              + " prediction (it has " + signature.getOutputsMap().keySet() + ")");
    }
  }

  private static Path download(String dir, StorageConfig config) {
    try {
      return SavedModels.copyToLocal(dir, config);
    } catch (InvalidSavedModelException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(ServingModel::deleteOne);
    } catch (IOException e) {
      LOG.warn("could not clean up {}: {}", dir, e.getMessage());
    }
  }

  private static void deleteOne(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", p, e.getMessage());
    }
  }
}
