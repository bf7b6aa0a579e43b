package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.Objects;

/**
 * A bound a trial's outcome must keep to be feasible, an entry of the study's {@code constraints}
 * list ({@code {metric: model_params, max: 20000}}). Bounds are inclusive; a trial without a
 * finite value of the metric breaks the constraint.
 *
 * @param min the smallest allowed value, null for none
 * @param max the largest allowed value, null for none
 */
public record OutcomeConstraint(String metric, Double min, Double max) implements Serializable {
  public OutcomeConstraint {
    Objects.requireNonNull(metric, "metric");
  }

  /** Whether {@code value} keeps to the bounds. */
  public boolean allows(double value) {
    return Double.isFinite(value) && (min == null || value >= min) && (max == null || value <= max);
  }

  /** How far {@code value} is outside the bounds (0 inside; infinite without a value). */
  public double violation(double value) {
    if (!Double.isFinite(value)) {
      return Double.POSITIVE_INFINITY;
    }
    double below = min == null ? 0 : Math.max(0, min - value);
    double above = max == null ? 0 : Math.max(0, value - max);
    return below + above;
  }

  /** E.g. {@code model_params <= 20000}, {@code 1 <= eval_rmse <= 5}. */
  public String describe() {
    if (min != null && max != null) {
      return min + " <= " + metric + " <= " + max;
    }
    return min != null ? metric + " >= " + min : metric + " <= " + max;
  }
}
