package io.beamtrain.pipelines.study;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.ModelMetrics;
import io.beamtrain.trainer.data.TransformSpec.Task;

/** What the study layer knows about the trainer's metrics: their natural goal and their task. */
public final class StudyMetrics {
  private StudyMetrics() {}

  /** MAXIMIZE for accuracy and AUC, MINIMIZE for loss, RMSE, MAE and the model metrics. */
  public static Goal naturalGoal(String name) {
    return name.equals(MetricSpec.EVAL_ACCURACY) || name.equals(MetricSpec.EVAL_AUC)
        ? Goal.MAXIMIZE
        : Goal.MINIMIZE;
  }

  /**
   * Whether the trainer reports the metric for a label of this task, the same rule as the
   * trainer's own check at a trial's start: accuracy for classification, AUC for two classes only,
   * RMSE and MAE for regression, the loss for all.
   *
   * @param classes the label's class count, 0 when not known yet ({@code train} learns it while
   *     preprocessing; AUC then applies unless the task is MULTICLASS_CLASSIFICATION)
   */
  public static boolean appliesTo(String name, Task task, int classes) {
    return switch (name) {
      case MetricSpec.EVAL_ACCURACY -> task.isClassification();
      case MetricSpec.EVAL_AUC -> task.isClassification()
          && (classes > 0 ? classes == 2 : task != Task.MULTICLASS_CLASSIFICATION);
      case MetricSpec.EVAL_RMSE, MetricSpec.EVAL_MAE -> task == Task.REGRESSION;
      case MetricSpec.EVAL_LOSS, ModelMetrics.MODEL_PARAMS, ModelMetrics.SERVING_LATENCY_MS -> true;
      default -> false;
    };
  }

  /** Whether a study may name the metric: an eval metric or a model metric. */
  public static boolean isKnown(String name) {
    return MetricSpec.NAMES.contains(name) || ModelMetrics.NAMES.contains(name);
  }

  /** Every metric a study may name, sorted. */
  public static java.util.SortedSet<String> known() {
    java.util.SortedSet<String> all = new java.util.TreeSet<>(MetricSpec.NAMES);
    all.addAll(ModelMetrics.NAMES);
    return all;
  }

  /** The metrics that apply to a label of this task and class count (see {@link #appliesTo}), sorted. */
  public static java.util.List<String> applicable(Task task, int classes) {
    return MetricSpec.NAMES.stream().filter(n -> appliesTo(n, task, classes)).sorted().toList();
  }
}
