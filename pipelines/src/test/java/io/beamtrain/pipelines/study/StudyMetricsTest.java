package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.trainer.data.TransformSpec.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which metric applies to which label: the same rule as the trainer's check at a trial's start. */
class StudyMetricsTest {
  @ParameterizedTest(name = "{0} on {1} with {2} classes: {3}")
  @CsvSource({
      "eval_loss, REGRESSION, 0, true",
      "eval_loss, MULTICLASS_CLASSIFICATION, 3, true",
      "eval_accuracy, REGRESSION, 0, false",
      "eval_accuracy, BINARY_CLASSIFICATION, 2, true",
      "eval_accuracy, MULTICLASS_CLASSIFICATION, 3, true",
      "eval_auc, BINARY_CLASSIFICATION, 2, true",
      "eval_auc, MULTICLASS_CLASSIFICATION, 3, false",
      "eval_auc, MULTICLASS_CLASSIFICATION, 2, true",
      "eval_auc, REGRESSION, 0, false",
      // Not known yet (train): AUC unless the schema says multi-class.
      "eval_auc, BINARY_CLASSIFICATION, 0, true",
      "eval_auc, MULTICLASS_CLASSIFICATION, 0, false",
      "eval_rmse, REGRESSION, 0, true",
      "eval_rmse, BINARY_CLASSIFICATION, 2, false",
      "eval_mae, MULTICLASS_CLASSIFICATION, 3, false",
      "eval_mae, REGRESSION, 0, true",
      "eval_f1, BINARY_CLASSIFICATION, 2, false",
  })
  void appliesTo(String metric, Task task, int classes, boolean applies) {
    assertEquals(applies, StudyMetrics.appliesTo(metric, task, classes));
  }
}
