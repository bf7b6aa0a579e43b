package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
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
 * shapes).
 */
public final class WarmStart {
  private WarmStart() {}

  /** Fails early (before anything is written) when {@code prefix} has no checkpoint index. */
  public static void checkExists(String prefix, StorageConfig config) {
    String index = prefix + ".index";
    if (!Storages.forPath(index, config).exists(index)) {
      throw new BadInputException("warm start checkpoint " + prefix + " not found: no " + index);
    }
  }

  /** Assigns {@code variables} of {@code session} from the checkpoint at {@code prefix}. */
  public static void restore(
      TrainingSession session, List<Output<TFloat32>> variables, String prefix, StorageConfig config) {
    checkExists(prefix, config);
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
    try (LocalCheckpointCopy local = LocalCheckpointCopy.of(prefix, config);
        TString path = TString.scalarOf(local.localPrefix())) {
      runner.feed(file, path).run().close();
    } catch (TensorFlowException | IllegalArgumentException e) {
      throw new BadInputException(
          "cannot warm start from " + prefix + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown TensorFlow error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
