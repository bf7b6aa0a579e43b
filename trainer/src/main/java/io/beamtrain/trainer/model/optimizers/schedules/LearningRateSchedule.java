package io.beamtrain.trainer.model.optimizers.schedules;

/**
 * The learning rate as a pure function of the step, computed in Java and fed to the graph each
 * step, so a resumed trial sees exactly the rates an uninterrupted one would.
 *
 * <p>{@code step} counts the updates already applied (0 for the first training step), like the
 * {@code iterations} counter Keras schedules read.
 *
 * @param initialRate the rate at step 0
 * @param decay the schedule shape
 * @param decaySteps the decay horizon in steps (positive)
 * @param decayRate for {@link LearningRateDecay#EXPONENTIAL}: the factor per {@code decaySteps}
 * @param alpha for {@link LearningRateDecay#COSINE}: the final rate as a fraction of the initial
 */
public record LearningRateSchedule(
    double initialRate, LearningRateDecay decay, long decaySteps, double decayRate, double alpha) {

  public LearningRateSchedule {
    if (!(initialRate > 0) || Double.isInfinite(initialRate)) {
      throw new IllegalArgumentException("initialRate must be positive, was " + initialRate);
    }
    if (decaySteps <= 0) {
      throw new IllegalArgumentException("decaySteps must be positive, was " + decaySteps);
    }
  }

  /** A constant rate. */
  public static LearningRateSchedule constant(double rate) {
    return new LearningRateSchedule(rate, LearningRateDecay.NONE, 1, 1.0, 0.0);
  }

  /** The rate for the update that follows {@code step} completed updates. */
  public double rateAt(long step) {
    return switch (decay) {
      case NONE -> initialRate;
      case EXPONENTIAL -> initialRate * Math.pow(decayRate, (double) step / decaySteps);
      case COSINE -> {
        double progress = Math.min(step, decaySteps) / (double) decaySteps;
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        yield initialRate * ((1 - alpha) * cosine + alpha);
      }
    };
  }

  /** Whether the rate never changes, so one fed tensor can serve every step. */
  public boolean isConstant() {
    return decay == LearningRateDecay.NONE;
  }
}
