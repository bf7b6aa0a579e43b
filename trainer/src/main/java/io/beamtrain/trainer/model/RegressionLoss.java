package io.beamtrain.trainer.model;

/**
 * The loss of a regression head, hyperparameter {@code loss}. Both are computed on the z-scored
 * target (see {@link Head}), so {@code huber_delta} is in standard deviations.
 */
public enum RegressionLoss {
  /** Mean squared error. */
  MSE,
  /**
   * Huber loss: quadratic within {@code huber_delta} of the target, linear beyond it; matches
   * {@code tf.keras.losses.Huber}.
   */
  HUBER
}
