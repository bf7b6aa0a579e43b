package io.beamtrain.pipelines.search;

import java.io.Serializable;

/**
 * How the TPE search splits and models its trials ({@link TreeParzenEstimator}) and how it fills
 * its rounds ({@link TpeProposer}). {@link #DEFAULT} is what studies use; the other values exist
 * so {@code TpeSamplerBenchmark} can measure what each choice buys.
 *
 * @param gamma the fraction of finished trials that count as good ...
 * @param maxGood ... and at most this many: {@code max(1, min(ceil(gamma n), maxGood))}
 * @param multivariate one joint Parzen mixture over all parameters (each component an observed
 *     point, so parameters that work together stay together) rather than one per parameter
 * @param constantLiar whether a round's later proposals count its earlier ones, still pending, as
 *     bad trials, so one round's proposals spread out instead of repeating one optimum
 * @param startupTrials how many of the first trials are quasi-random before any model is fitted
 *     (TpeProposer takes at most half the study, at least its first round)
 */
public record TpeSettings(double gamma, int maxGood, boolean multivariate, boolean constantLiar, int startupTrials)
    implements Serializable {
  /**
   * A small good group (10%, at most 25) as in Optuna: with the few trials of a tuning study, 25%
   * puts mediocre trials into l and the model stops telling good from average regions; ten
   * quasi-random trials first (at most half the study) so l and g are fitted on a sample of the whole space; joint
   * (multivariate) modelling, since learning rate, depth and optimizer interact; constant liar,
   * since a round's trials are proposed together and would otherwise cluster.
   */
  public static final TpeSettings DEFAULT = new TpeSettings(0.1, 25, true, true, 10);

  public TpeSettings {
    if (!(gamma > 0 && gamma <= 1) || maxGood < 1 || startupTrials < 1) {
      throw new IllegalArgumentException(
          "gamma must be in (0, 1], maxGood and startupTrials positive: " + gamma + ", " + maxGood + ", " + startupTrials);
    }
  }

  /** How many of {@code finished} trials are good. */
  public int goodCount(int finished) {
    return finished == 0 ? 0 : Math.max(1, Math.min(maxGood, (int) Math.ceil(gamma * finished)));
  }

  public TpeSettings withGamma(double gamma, int maxGood) {
    return new TpeSettings(gamma, maxGood, multivariate, constantLiar, startupTrials);
  }

  public TpeSettings withMultivariate(boolean multivariate) {
    return new TpeSettings(gamma, maxGood, multivariate, constantLiar, startupTrials);
  }

  public TpeSettings withConstantLiar(boolean constantLiar) {
    return new TpeSettings(gamma, maxGood, multivariate, constantLiar, startupTrials);
  }

  public TpeSettings withStartupTrials(int startupTrials) {
    return new TpeSettings(gamma, maxGood, multivariate, constantLiar, startupTrials);
  }
}
