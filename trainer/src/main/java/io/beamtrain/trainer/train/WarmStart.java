package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Initialises a model's trainable variables from another model's checkpoint, matched by variable
 * name (what {@code tf.estimator.WarmStartSettings(vars_to_warm_start=".*")} does): weights and
 * biases are copied, optimizer slots start fresh. Used by retraining, which continues from the
 * previous model on a new slice of data.
 *
 * <p>The source must hold every trainable variable with the same shape; otherwise a {@link
 * BadInputException} names the checkpoint and TensorFlow's reason (the missing key or the two
 * shapes). A {@code gs://} checkpoint is downloaded to a local temporary directory first.
 */
public final class WarmStart {
  private WarmStart() {}

  /** Fails early (before anything is written) when {@code prefix} has no checkpoint index. */
  public static void checkExists(String prefix, StorageConfig config) {
    String index = prefix + ".index";
    if (!Storages.forPath(index, config).exists(index)) {
      throw new BadInputException(
          "warm start checkpoint " + prefix + " not found: no " + index);
    }
  }

  /** Assigns {@code variables} of {@code session} from the checkpoint at {@code prefix}. */
  public static void restore(
      TrainingSession session, List<Output<TFloat32>> variables, String prefix, StorageConfig config) {
    checkExists(prefix, config);
    Path staging = null;
    try {
      String localPrefix = prefix;
      if (StoragePaths.isGcs(prefix)) {
        staging = Files.createTempDirectory("beamtrain-warmstart");
        localPrefix = download(prefix, staging, config);
      }
      Ops tf = Ops.create(session.graph()).withSubScope("warm_start");
      Placeholder<TString> file = tf.placeholder(TString.class);
      List<String> names = new ArrayList<>();
      variables.forEach(v -> names.add(v.op().name()));
      List<Class<? extends TType>> types = new ArrayList<>(Collections.nCopies(names.size(), TFloat32.class));
      Restore restored =
          tf.train.restore(
              file,
              tf.constant(NdArrays.vectorOfObjects(names.toArray(String[]::new))),
              tf.constant(NdArrays.vectorOfObjects(Collections.nCopies(names.size(), "").toArray(String[]::new))),
              types);
      List<Op> assigns = new ArrayList<>();
      for (int i = 0; i < variables.size(); i++) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> value = (Operand<TFloat32>) restored.tensors().get(i);
        assigns.add(tf.assign(variables.get(i), value));
      }
      session.initialize();
      Session.Runner runner = session.session().runner();
      assigns.forEach(runner::addTarget);
      try (TString path = TString.scalarOf(localPrefix)) {
        runner.feed(file, path).run().close();
      } catch (TensorFlowException | IllegalArgumentException e) {
        throw new BadInputException(
            "cannot warm start from " + prefix + ": " + firstLine(e.getMessage()), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("staging warm start checkpoint " + prefix, e);
    } finally {
      if (staging != null) {
        deleteRecursively(staging);
      }
    }
  }

  private static String download(String prefix, Path staging, StorageConfig config) {
    Storage storage = Storages.forPath(prefix, config);
    String name = StoragePaths.fileName(prefix);
    for (StorageObject object : storage.list(prefix + ".")) {
      String file = StoragePaths.fileName(object.path());
      if (file.equals(name + ".index") || file.startsWith(name + ".data-")) {
        storage.download(object.path(), staging.resolve(file));
      }
    }
    return staging.resolve(name).toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown TensorFlow error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir, e);
    }
  }
}
