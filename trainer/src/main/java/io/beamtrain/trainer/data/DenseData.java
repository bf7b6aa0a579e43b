package io.beamtrain.trainer.data;

import java.util.Arrays;
import java.util.Comparator;

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

  /**
   * The same rows sorted by their content (features, then label, compared bit by bit): an order
   * that does not depend on how the rows were dealt into shard files or in which order the files
   * were read. Preprocess deals rows to shards by the runner's bundles, so the same data can come
   * out of two runs (or two runners) in different files; training on the canonical order makes a
   * seeded trial see the same batches either way. Rows with equal content are interchangeable, so
   * the order is total where it matters.
   */
  public DenseData inCanonicalOrder() {
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, rowComparator());
    float[] sortedFeatures = new float[features.length];
    int[] sortedClassIds = classIds == null ? null : new int[n];
    float[] sortedTargets = targets == null ? null : new float[n];
    for (int i = 0; i < n; i++) {
      int from = order[i];
      System.arraycopy(features, from * width, sortedFeatures, i * width, width);
      if (sortedClassIds != null) {
        sortedClassIds[i] = classIds[from];
      } else {
        sortedTargets[i] = targets[from];
      }
    }
    return new DenseData(n, width, sortedFeatures, sortedClassIds, sortedTargets);
  }

  private Comparator<Integer> rowComparator() {
    return (a, b) -> {
      for (int j = 0; j < width; j++) {
        int c = Integer.compare(
            Float.floatToIntBits(features[a * width + j]), Float.floatToIntBits(features[b * width + j]));
        if (c != 0) {
          return c;
        }
      }
      return classIds != null
          ? Integer.compare(classIds[a], classIds[b])
          : Integer.compare(Float.floatToIntBits(targets[a]), Float.floatToIntBits(targets[b]));
    };
  }
}
