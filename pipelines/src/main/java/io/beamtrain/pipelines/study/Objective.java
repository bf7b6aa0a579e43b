package io.beamtrain.pipelines.study;

import io.beamtrain.checkpointing.Goal;
import java.io.Serializable;
import java.util.Objects;

/**
 * One metric a study optimises and its direction: an entry of the study's {@code metrics} list
 * ({@code {metric: eval_rmse, goal: MINIMIZE}}), an {@code eval_*} metric or a model metric
 * ({@code model_params}, {@code serving_latency_ms}).
 */
public record Objective(String metric, Goal goal) implements Serializable {
  public Objective {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(goal, "goal");
  }

  /** The value as a cost: smaller is better whatever the goal (NaN stays NaN). */
  public double cost(double value) {
    return goal == Goal.MINIMIZE ? value : -value;
  }
}
