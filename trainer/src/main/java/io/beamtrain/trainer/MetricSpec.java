package io.beamtrain.trainer;

import io.beamtrain.checkpointing.Goal;
import java.io.Serializable;
import java.util.Objects;
import java.util.Set;

/**
 * The metric a trial is judged by (best step, keep-best checkpoints, early stopping) and its
 * direction.
 *
 * @param name one of {@link #NAMES}
 * @param goal whether smaller or larger is better
 */
public record MetricSpec(String name, Goal goal) implements Serializable {
  public static final String EVAL_LOSS = "eval_loss";
  public static final String EVAL_ACCURACY = "eval_accuracy";
  public static final String EVAL_AUC = "eval_auc";
  public static final String EVAL_RMSE = "eval_rmse";
  public static final String EVAL_MAE = "eval_mae";

  /** Every metric the trainer computes (which ones a trial has depends on its task). */
  public static final Set<String> NAMES =
      Set.of(EVAL_LOSS, EVAL_ACCURACY, EVAL_AUC, EVAL_RMSE, EVAL_MAE);

  public MetricSpec {
    Objects.requireNonNull(goal, "goal");
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "unknown metric '" + name + "'; expected one of " + String.join(", ", NAMES.stream().sorted().toList()));
    }
  }

  /** {@code eval_loss}, minimized: defined for every task. */
  public static MetricSpec defaultMetric() {
    return new MetricSpec(EVAL_LOSS, Goal.MINIMIZE);
  }
}
