package io.beamtrain.pipelines.study;

import io.beamtrain.checkpointing.Goal;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The metric a study optimises, e.g. {@code {name: eval_accuracy, goal: MAXIMIZE}}.
 *
 * @param name one of {@link #KNOWN_METRICS}, as the trainer reports it in {@code result.json}
 * @param goal whether larger or smaller is better
 */
public record MetricSpec(String name, Goal goal) implements Serializable {
  /** Metric names the trainer reports; accuracy and AUC for classification, RMSE/MAE for regression. */
  public static final List<String> KNOWN_METRICS =
      List.of("eval_loss", "eval_accuracy", "eval_auc", "eval_rmse", "eval_mae");

  public MetricSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(goal, "goal");
  }

  /** The natural goal of a known metric: MAXIMIZE for accuracy and AUC, MINIMIZE otherwise. */
  public static Goal naturalGoal(String name) {
    return name.equals("eval_accuracy") || name.equals("eval_auc") ? Goal.MAXIMIZE : Goal.MINIMIZE;
  }

  /** Whether the metric only exists for classification labels. */
  public boolean needsClassification() {
    return name.equals("eval_accuracy") || name.equals("eval_auc");
  }

  /** Whether the metric only exists for regression labels. */
  public boolean needsRegression() {
    return name.equals("eval_rmse") || name.equals("eval_mae");
  }

  @Override
  public String toString() {
    return name + " (" + goal + ")";
  }
}
