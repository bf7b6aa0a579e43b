package io.beamtrain.pipelines.preprocess;

import java.io.Serializable;

/**
 * Running count, mean, sum of squared deviations, min and max of a stream of numbers, updated one
 * value at a time with Welford's algorithm and merged with Chan et al.'s parallel formula
 * ("Updating Formulae and a Pairwise Algorithm for Computing Sample Variances", 1979). Both avoid
 * the catastrophic cancellation of the textbook {@code E[x^2] - E[x]^2}, so values far from zero
 * (timestamps, large amounts) keep an accurate variance. Mutable, not thread-safe: a combiner
 * accumulator.
 */
public final class NumericMoments implements Serializable {
  private long count;
  private double mean;
  private double m2;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  public NumericMoments() {}

  /** Restores a state read back by a coder; {@code m2} is the sum of squared deviations. */
  static NumericMoments restore(long count, double mean, double m2, double min, double max) {
    NumericMoments moments = new NumericMoments();
    moments.count = count;
    moments.mean = mean;
    moments.m2 = m2;
    moments.min = min;
    moments.max = max;
    return moments;
  }

  /** The sum of squared deviations from the mean, for coders. */
  double sumOfSquaredDeviations() {
    return m2;
  }

  /** The raw minimum (+Infinity when empty), for coders. */
  double rawMin() {
    return min;
  }

  /** The raw maximum (-Infinity when empty), for coders. */
  double rawMax() {
    return max;
  }

  public void add(double x) {
    count++;
    double delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
    if (x < min) {
      min = x;
    }
    if (x > max) {
      max = x;
    }
  }

  public void merge(NumericMoments other) {
    if (other.count == 0) {
      return;
    }
    if (count == 0) {
      count = other.count;
      mean = other.mean;
      m2 = other.m2;
      min = other.min;
      max = other.max;
      return;
    }
    long total = count + other.count;
    double delta = other.mean - mean;
    mean += delta * other.count / total;
    m2 += other.m2 + delta * delta * ((double) count * other.count / total);
    count = total;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  public long count() {
    return count;
  }

  /** The mean; 0 when there are no values. */
  public double mean() {
    return mean;
  }

  /**
   * The population standard deviation (divided by n, not n - 1), as tf.Transform's {@code
   * scale_to_z_score} uses; 0 when there are no values.
   */
  public double stddev() {
    return count == 0 ? 0.0 : Math.sqrt(Math.max(0.0, m2 / count));
  }

  /** The smallest value; 0 when there are no values. */
  public double min() {
    return count == 0 ? 0.0 : min;
  }

  /** The largest value; 0 when there are no values. */
  public double max() {
    return count == 0 ? 0.0 : max;
  }
}
