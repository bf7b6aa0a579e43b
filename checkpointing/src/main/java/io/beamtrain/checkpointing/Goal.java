package io.beamtrain.checkpointing;

/** Direction of a metric: whether smaller or larger values are better. */
public enum Goal {
  MINIMIZE,
  MAXIMIZE;

  /** True when {@code candidate} is strictly better than {@code incumbent}; NaN is never better. */
  public boolean isBetter(double candidate, double incumbent) {
    if (Double.isNaN(candidate)) {
      return false;
    }
    if (Double.isNaN(incumbent)) {
      return true;
    }
    return this == MINIMIZE ? candidate < incumbent : candidate > incumbent;
  }

  /** The worst possible value, a neutral starting point for "best so far". */
  public double worst() {
    return this == MINIMIZE ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }
}
