package io.beamtrain.trainer.model.optimizers;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** The optimizers a trial can use, hyperparameter {@code optimizer}. */
public enum OptimizerKind {
  /** Plain stochastic gradient descent. */
  SGD,
  /** SGD with heavy-ball momentum, hyperparameter {@code momentum} (default 0.9). */
  MOMENTUM,
  /** Adam with beta1 0.9, beta2 0.999, epsilon 1e-7. */
  ADAM,
  /** AdaGrad with initial accumulator 0.1. */
  ADAGRAD,
  /** RMSProp with rho 0.9, epsilon 1e-7 and hyperparameter {@code momentum} (default 0). */
  RMSPROP;

  /** A new optimizer of this kind for {@code graph}. */
  public ScheduledOptimizer create(Graph graph, Operand<TFloat32> learningRate, double momentum) {
    return switch (this) {
      case SGD -> new SgdOptimizer(graph, learningRate);
      case MOMENTUM -> new MomentumOptimizer(graph, learningRate, momentum);
      case ADAM -> new AdamOptimizer(graph, learningRate);
      case ADAGRAD -> new AdaGradOptimizer(graph, learningRate);
      case RMSPROP -> new RmsPropOptimizer(graph, learningRate, momentum);
    };
  }
}
