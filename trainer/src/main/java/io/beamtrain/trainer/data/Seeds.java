package io.beamtrain.trainer.data;

/**
 * The one seed mixer of beamtrain and the table of its seed streams.
 *
 * <p>{@link #finish} is the SplitMix64 finaliser (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), the mixer behind {@link
 * java.util.SplittableRandom}: nearby inputs (seed 42 trial 3, seed 42 trial 4) give unrelated
 * outputs, and the result depends only on its inputs, never on the JVM or the runner. {@link #mix}
 * derives stream {@code stream} of a seed from it. Every stream number in use is named below, so
 * two uses never share one by accident; changing a number changes every trial's results.
 */
public final class Seeds {
  /** SplitMix64's increment, the golden ratio in 64 bits. */
  public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  /** A trial's training-data order (TrialRunner, from the trial seed). */
  public static final long DATA_STREAM = 11;
  /** A trial's initial weights (TrialRunner, from the trial seed). */
  public static final long INIT_STREAM = 12;
  /** A trial's dropout masks (TrainingSession, from the trial seed). */
  public static final long DROPOUT_STREAM = 101;
  /** The order of the shard files of a streamed epoch (StreamingBatchSource, from the data seed). */
  public static final long FILE_ORDER_STREAM = 1;
  /** Which open shard gives the next example (StreamingBatchSource, from the data seed). */
  public static final long SHARD_PICK_STREAM = 2;
  // InMemoryBatchSource uses stream {@code epoch} (0, 1, ...) of the data seed for each epoch's
  // permutation; the data seed is itself stream DATA_STREAM, so these do not meet the ones above.

  /** XORed into a trial seed for the random search's draw of that trial (TrialSeeds.forSearch). */
  public static final long SEARCH_SALT = 0x5EA2C4L;
  /** XORed into the study seed for the quasi-random search's random shift (QuasiRandomSearch). */
  public static final long QUASI_RANDOM_SHIFT_SALT = 0x50B01L;

  private Seeds() {}

  /** A well-mixed seed for stream {@code stream} of {@code seed}; different inputs rarely collide. */
  public static long mix(long seed, long stream) {
    return finish(seed + GOLDEN_GAMMA * (stream + 1));
  }

  /** The SplitMix64 finaliser of {@code z}: a bijection that spreads every input bit. */
  public static long finish(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
