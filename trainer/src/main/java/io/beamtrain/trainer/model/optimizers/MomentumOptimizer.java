package io.beamtrain.trainer.model.optimizers;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Heavy-ball momentum ({@code ApplyMomentum}): {@code accum = momentum * accum + grad; var -= lr *
 * accum}, as {@code tf.compat.v1.train.MomentumOptimizer}. Slot {@code <var>/Momentum}.
 */
public final class MomentumOptimizer extends ScheduledOptimizer {
  public static final String NAME = "Momentum";
  private final float momentum;

  public MomentumOptimizer(Graph graph, Operand<TFloat32> learningRate, double momentum) {
    super(graph, NAME, learningRate);
    this.momentum = (float) momentum;
  }

  @Override
  protected void createSlotsFor(Output<TFloat32> variable) {
    addSlot(variable, "", 0f);
  }

  @Override
  protected Op applyFloat(
      Ops deps, Output<TFloat32> gradient, Output<TFloat32> variable, Operand<TFloat32> learningRate) {
    return deps.train.applyMomentum(
        variable, slot(variable, ""), learningRate, gradient, deps.constant(momentum));
  }

  @Override
  public String getOptimizerName() {
    return NAME;
  }
}
