package io.beamtrain.trainer.model.optimizers;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * RMSProp ({@code ApplyRMSProp}): {@code ms = rho * ms + (1 - rho) * grad^2; mom = momentum * mom
 * + lr * grad / sqrt(ms + epsilon); var -= mom}, with rho 0.9 and epsilon 1e-7. Slots {@code
 * <var>/RMSProp} (mean square, starting at 1 as in {@code tf.compat.v1.train.RMSPropOptimizer}, so
 * the first steps are not blown up by a near-zero denominator) and {@code <var>/RMSProp_1}
 * (momentum).
 */
public final class RmsPropOptimizer extends ScheduledOptimizer {
  public static final String NAME = "RMSProp";
  public static final float RHO = 0.9f;
  public static final float EPSILON = 1e-7f;
  private final float momentum;

  public RmsPropOptimizer(Graph graph, Operand<TFloat32> learningRate, double momentum) {
    super(graph, NAME, learningRate);
    this.momentum = (float) momentum;
  }

  @Override
  protected void createSlotsFor(Output<TFloat32> variable) {
    addSlot(variable, "", 1f);
    addSlot(variable, "_1", 0f);
  }

  @Override
  protected Op applyFloat(
      Ops deps, Output<TFloat32> gradient, Output<TFloat32> variable, Operand<TFloat32> learningRate) {
    return deps.train.applyRmsProp(
        variable,
        slot(variable, ""),
        slot(variable, "_1"),
        learningRate,
        deps.constant(RHO),
        deps.constant(momentum),
        deps.constant(EPSILON),
        gradient);
  }

  @Override
  public String getOptimizerName() {
    return NAME;
  }
}
