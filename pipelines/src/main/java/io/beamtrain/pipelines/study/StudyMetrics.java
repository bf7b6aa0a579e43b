package io.beamtrain.pipelines.study;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.data.TransformSpec.Task;

/** What the study layer knows about the trainer's metrics: their natural goal and their task. */
public final class StudyMetrics {
  private StudyMetrics() {}

  /** MAXIMIZE for accuracy and AUC, MINIMIZE for loss, RMSE and MAE. */
  public static Goal naturalGoal(String name) {
    return name.equals(MetricSpec.EVAL_ACCURACY) || name.equals(MetricSpec.EVAL_AUC)
        ? Goal.MAXIMIZE
        : Goal.MINIMIZE;
  }

  /** Whether the trainer reports the metric for a label of this task. */
  public static boolean appliesTo(String name, Task task) {
    return switch (name) {
      case MetricSpec.EVAL_ACCURACY, MetricSpec.EVAL_AUC -> task.isClassification();
      case MetricSpec.EVAL_RMSE, MetricSpec.EVAL_MAE -> task == Task.REGRESSION;
      default -> true;
    };
  }
}
