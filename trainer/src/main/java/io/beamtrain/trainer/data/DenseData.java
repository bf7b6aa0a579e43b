package io.beamtrain.trainer.data;

/**
 * A split held in memory in the model's dense encoding: {@code features} is row-major {@code [n,
 * width]}; exactly one of {@code classIds} (classification, {@code [n]}) and {@code targets}
 * (regression, {@code [n]}) is non-null. The arrays are shared, not copied: treat them as
 * read-only, and the object is then safe to share between threads.
 */
public record DenseData(int n, int width, float[] features, int[] classIds, float[] targets) {

  public DenseData {
    if ((classIds == null) == (targets == null)) {
      throw new IllegalArgumentException("exactly one of classIds and targets must be given");
    }
    if (features.length != (long) n * width) {
      throw new IllegalArgumentException(
          "features has " + features.length + " values, expected n*width = " + n + "*" + width);
    }
    int labels = classIds != null ? classIds.length : targets.length;
    if (labels != n) {
      throw new IllegalArgumentException("labels has " + labels + " values, expected " + n);
    }
  }

  public boolean isClassification() {
    return classIds != null;
  }

  /** Bytes held by the arrays (what {@code maxInMemoryBytes} limits). */
  public long sizeBytes() {
    return bytesFor(n, width);
  }

  /** Bytes a split of {@code n} rows of {@code width} takes in memory: features plus labels. */
  public static long bytesFor(long n, int width) {
    return n * (width + 1L) * Float.BYTES;
  }

  /** Copies row {@code row}'s features into {@code out} at {@code offset}. */
  public void copyRow(int row, float[] out, int offset) {
    System.arraycopy(features, row * width, out, offset, width);
  }
}
