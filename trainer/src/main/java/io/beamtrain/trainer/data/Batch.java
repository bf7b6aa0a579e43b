package io.beamtrain.trainer.data;

/**
 * A reusable buffer for one training batch in the dense encoding: {@code features} row-major
 * {@code [capacity, width]}, and {@code classIds} or {@code targets}. A {@link BatchSource} fills
 * it in place each step, so a training loop allocates it once. Not thread-safe.
 */
public final class Batch {
  private final int capacity;
  private final int width;
  private final float[] features;
  private final int[] classIds;
  private final float[] targets;
  private int size;

  public Batch(int capacity, int width, boolean classification) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("batch capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
    this.width = width;
    this.features = new float[Math.multiplyExact(capacity, width)];
    this.classIds = classification ? new int[capacity] : null;
    this.targets = classification ? null : new float[capacity];
  }

  public int capacity() {
    return capacity;
  }

  public int width() {
    return width;
  }

  /** Rows filled (the capacity, for training batches). */
  public int size() {
    return size;
  }

  void setSize(int size) {
    this.size = size;
  }

  public boolean isClassification() {
    return classIds != null;
  }

  /** Row-major features; only the first {@code size() * width()} values are meaningful. */
  public float[] features() {
    return features;
  }

  /** Class indices (classification), else null. */
  public int[] classIds() {
    return classIds;
  }

  /** Regression targets, else null. */
  public float[] targets() {
    return targets;
  }
}
