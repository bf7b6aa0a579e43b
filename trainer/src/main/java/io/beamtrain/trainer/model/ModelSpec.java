package io.beamtrain.trainer.model;

import io.beamtrain.trainer.data.TransformSpec;

/**
 * Everything that fixes the model's variables and outputs: the hyperparameters, the width of the
 * dense feature vector and the head. The training graph and the serving graph built from equal
 * specs have the same variables under the same names.
 */
public record ModelSpec(HyperParameters params, int inputWidth, Head head) {

  public ModelSpec {
    if (inputWidth < 1) {
      throw new IllegalArgumentException("inputWidth must be positive, was " + inputWidth);
    }
  }

  /** The spec for data described by {@code transform}; fails on a loss that does not fit the task. */
  public static ModelSpec of(HyperParameters params, TransformSpec transform) {
    return new ModelSpec(params, transform.denseWidth(), Head.of(transform.label(), params));
  }

  /** Creates the network's variables in the graph of {@code tf}. */
  public Network createNetwork(org.tensorflow.op.Ops tf, long seed) {
    return Network.create(
        tf, inputWidth, params.hiddenLayers(), params.activation(), head.logitsWidth(), seed);
  }
}
