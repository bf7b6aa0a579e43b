package io.beamtrain.trainer.model.optimizers;

import io.beamtrain.trainer.model.variables.NamedVariables;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Adam ({@code ApplyAdam}, Kingma and Ba 2014) as {@code tf.compat.v1.train.AdamOptimizer}: slots
 * {@code <var>/Adam} (first moment) and {@code <var>/Adam_1} (second moment), bias correction
 * through the variables {@code beta1_power} and {@code beta2_power}, which are checkpointed, so a
 * resumed trial continues with the right correction. beta1 0.9, beta2 0.999, epsilon 1e-7.
 */
public final class AdamOptimizer extends ScheduledOptimizer {
  public static final String NAME = "Adam";
  public static final float BETA_1 = 0.9f;
  public static final float BETA_2 = 0.999f;
  public static final float EPSILON = 1e-7f;

  private Output<TFloat32> beta1Power;
  private Output<TFloat32> beta2Power;

  public AdamOptimizer(Graph graph, Operand<TFloat32> learningRate) {
    super(graph, NAME, learningRate);
  }

  @Override
  protected void createSlotsFor(Output<TFloat32> variable) {
    addSlot(variable, "", 0f);
    addSlot(variable, "_1", 0f);
  }

  @Override
  protected void createGlobals() {
    beta1Power = NamedVariables.filled(tf, "beta1_power", Shape.scalar(), BETA_1);
    beta2Power = NamedVariables.filled(tf, "beta2_power", Shape.scalar(), BETA_2);
  }

  @Override
  protected Op applyFloat(
      Ops deps, Output<TFloat32> gradient, Output<TFloat32> variable, Operand<TFloat32> learningRate) {
    return deps.train.applyAdam(
        variable,
        slot(variable, ""),
        slot(variable, "_1"),
        beta1Power,
        beta2Power,
        learningRate,
        deps.constant(BETA_1),
        deps.constant(BETA_2),
        deps.constant(EPSILON),
        gradient);
  }

  /** Advances the beta powers once every variable has been updated with the current ones. */
  @Override
  protected Op finish(List<Op> updateOperations, String name) {
    Ops afterUpdates = tf.withControlDependencies(List.copyOf(updateOperations));
    updateOperations.add(
        afterUpdates.assign(beta1Power, afterUpdates.math.mul(beta1Power, afterUpdates.constant(BETA_1))));
    updateOperations.add(
        afterUpdates.assign(beta2Power, afterUpdates.math.mul(beta2Power, afterUpdates.constant(BETA_2))));
    return super.finish(updateOperations, name);
  }

  @Override
  public String getOptimizerName() {
    return NAME;
  }
}
