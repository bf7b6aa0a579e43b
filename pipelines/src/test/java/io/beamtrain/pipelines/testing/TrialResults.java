package io.beamtrain.pipelines.testing;

import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.List;
import java.util.Map;

/** Hand-made trial results for tests of selection, files and progress. */
public final class TrialResults {
  private TrialResults() {}

  public static TrialResult completed(String trial, String metric, double value) {
    return new TrialResult(trial, TrialStatus.COMPLETED, 100, 100L, Map.of(metric, value),
        List.of(new TrialResult.Evaluation(100, Map.of(metric, value))),
        Map.of("learning_rate", 0.01), 7, null, null, 1.5);
  }

  public static TrialResult withStatus(String trial, TrialStatus status, String metric, double value) {
    TrialResult r = completed(trial, metric, value);
    return new TrialResult(trial, status, r.steps(), r.bestStep(), r.metrics(), r.history(), r.params(),
        r.seed(), null, status == TrialStatus.DIVERGED ? "loss became NaN at step 40" : null, 1.0);
  }

  public static TrialResult failed(String trial, String error) {
    return TrialResult.failed(trial, Map.of("learning_rate", 0.01), 7, error, 0.1);
  }
}
