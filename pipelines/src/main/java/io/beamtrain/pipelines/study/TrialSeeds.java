package io.beamtrain.pipelines.study;

/**
 * Derives independent per-trial seeds and random streams from one study seed.
 *
 * <p>Uses the SplitMix64 finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), the mixer behind {@link java.util.SplittableRandom}: nearby inputs
 * (seed 42 trial 3, seed 42 trial 4) give unrelated outputs, and the result depends only on its
 * inputs, never on the JVM or the runner.
 */
public final class TrialSeeds {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private TrialSeeds() {}

  /** The seed of trial {@code index}, non-negative so it fits TensorFlow's seed attributes. */
  public static long forTrial(long studySeed, int index) {
    return mix(mix(studySeed) + GOLDEN_GAMMA * (index + 1L)) & Long.MAX_VALUE;
  }

  /** A seed for the search algorithm's own stream of trial {@code index}, unrelated to its TF seed. */
  public static long forSearch(long studySeed, int index) {
    return mix(forTrial(studySeed, index) ^ 0x5EA2C4L);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
