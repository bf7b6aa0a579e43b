package io.beamtrain.trainer.model.optimizers;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** {@code var -= lr * grad} ({@code ApplyGradientDescent}). */
public final class SgdOptimizer extends ScheduledOptimizer {
  public static final String NAME = "GradientDescent";

  public SgdOptimizer(Graph graph, Operand<TFloat32> learningRate) {
    super(graph, NAME, learningRate);
  }

  @Override
  protected Op applyFloat(
      Ops deps, Output<TFloat32> gradient, Output<TFloat32> variable, Operand<TFloat32> learningRate) {
    return deps.train.applyGradientDescent(variable, learningRate, gradient);
  }

  @Override
  public String getOptimizerName() {
    return NAME;
  }
}
