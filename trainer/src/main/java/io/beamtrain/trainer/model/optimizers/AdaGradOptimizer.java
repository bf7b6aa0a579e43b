package io.beamtrain.trainer.model.optimizers;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * AdaGrad ({@code ApplyAdagrad}): {@code accum += grad^2; var -= lr * grad / sqrt(accum)}, with the
 * accumulator slot {@code <var>/Adagrad} starting at 0.1 (the TF and Keras default).
 */
public final class AdaGradOptimizer extends ScheduledOptimizer {
  public static final String NAME = "Adagrad";
  public static final float INITIAL_ACCUMULATOR = 0.1f;

  public AdaGradOptimizer(Graph graph, Operand<TFloat32> learningRate) {
    super(graph, NAME, learningRate);
  }

  @Override
  protected void createSlotsFor(Output<TFloat32> variable) {
    addSlot(variable, "", INITIAL_ACCUMULATOR);
  }

  @Override
  protected Op applyFloat(
      Ops deps, Output<TFloat32> gradient, Output<TFloat32> variable, Operand<TFloat32> learningRate) {
    return deps.train.applyAdagrad(variable, slot(variable, ""), learningRate, gradient);
  }

  @Override
  public String getOptimizerName() {
    return NAME;
  }
}
