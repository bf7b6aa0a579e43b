package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The metric the report ranks trials by and plots, with its direction.
 *
 * @param name a metric name as in result.json, e.g. {@code eval_accuracy}
 * @param goal whether larger or smaller is better
 */
public record MetricChoice(String name, Goal goal) {
  /** When nothing names the metric, the first of these that the trials report is used. */
  static final List<String> PREFERENCE =
      List.of("eval_accuracy", "eval_auc", "eval_rmse", "eval_mae", "eval_loss");

  public MetricChoice {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(goal, "goal");
  }

  /** The metric with its natural goal: MAXIMIZE for accuracy and AUC, MINIMIZE otherwise. */
  public static MetricChoice natural(String name) {
    boolean larger = name.endsWith("accuracy") || name.endsWith("auc");
    return new MetricChoice(name, larger ? Goal.MAXIMIZE : Goal.MINIMIZE);
  }

  /**
   * Guesses the sweep's metric from the names the trials report: the only one, else the first of
   * {@link #PREFERENCE}, else the first reported; {@code eval_loss} when no trial reports any.
   */
  static MetricChoice infer(Collection<String> reported) {
    if (reported.size() == 1) {
      return natural(reported.iterator().next());
    }
    for (String name : PREFERENCE) {
      if (reported.contains(name)) {
        return natural(name);
      }
    }
    return natural(reported.isEmpty() ? "eval_loss" : reported.iterator().next());
  }

  /** True when {@code candidate} beats {@code incumbent}; NaN never wins. */
  public boolean isBetter(double candidate, double incumbent) {
    return goal.isBetter(candidate, incumbent);
  }
}
