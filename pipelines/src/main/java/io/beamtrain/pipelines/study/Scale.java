package io.beamtrain.pipelines.study;

/** How a range parameter is explored: evenly in its value, or evenly in its logarithm. */
public enum Scale {
  LINEAR,
  /** Log-uniform; requires {@code min > 0}. Suits learning rates and regularisation strengths. */
  LOG
}
