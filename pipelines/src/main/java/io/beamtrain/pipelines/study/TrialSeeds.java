package io.beamtrain.pipelines.study;

import io.beamtrain.trainer.data.Seeds;

/**
 * Derives independent per-trial seeds and random streams from one study seed.
 *
 * <p>Mixes with {@link Seeds}, the one SplitMix64 of beamtrain (its Javadoc says why).
 */
public final class TrialSeeds {
  private TrialSeeds() {}

  /** The seed of trial {@code index}, non-negative so it fits TensorFlow's seed attributes. */
  public static long forTrial(long studySeed, int index) {
    return Seeds.mix(Seeds.finish(studySeed), index) & Long.MAX_VALUE;
  }

  /** A seed for the search algorithm's own stream of trial {@code index}, unrelated to its TF seed. */
  public static long forSearch(long studySeed, int index) {
    return Seeds.finish(forTrial(studySeed, index) ^ Seeds.SEARCH_SALT);
  }
}
