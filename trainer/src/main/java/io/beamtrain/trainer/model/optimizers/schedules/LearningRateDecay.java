package io.beamtrain.trainer.model.optimizers.schedules;

/** The shape of the learning-rate schedule, hyperparameter {@code learning_rate_decay}. */
public enum LearningRateDecay {
  /** A constant learning rate. */
  NONE,
  /**
   * {@code lr * decay_rate ^ (step / decay_steps)}, as Keras {@code ExponentialDecay} with {@code
   * staircase=False}.
   */
  EXPONENTIAL,
  /**
   * {@code lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) +
   * alpha)}, as Keras {@code CosineDecay}.
   */
  COSINE
}
