package io.beamtrain.trainer.data;

/** Derives independent seeds from a base seed and a stream number (SplitMix64 finalizer). */
public final class Seeds {
  private Seeds() {}

  /** A well-mixed seed for stream {@code stream} of {@code seed}; different inputs rarely collide. */
  public static long mix(long seed, long stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
