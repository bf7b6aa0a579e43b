package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Objective;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Scale;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A stub objective with a known Pareto front, ZDT1 (Zitzler, Deb and Thiele 2000) on {@code
 * dims} parameters {@code x0..} in [0, 1]: f1 = x0, g = 1 + 9 mean(x1..), f2 = g (1 - sqrt(f1 / g)),
 * both minimised, reported as eval_rmse and eval_mae. The front is x1.. = 0, f2 = 1 - sqrt(f1).
 */
final class Zdt1 {
  static final double[] REFERENCE = {1.1, 1.1};

  private Zdt1() {}

  static List<ParameterSpec> parameters(int dims) {
    List<ParameterSpec> out = new ArrayList<>();
    for (int i = 0; i < dims; i++) {
      out.add(ParameterSpec.doubleRange("x" + i, 0, 1, Scale.LINEAR));
    }
    return out;
  }

  static StudyObjectives objectives() {
    return new StudyObjectives(
        List.of(new Objective("eval_rmse", Goal.MINIMIZE), new Objective("eval_mae", Goal.MINIMIZE)), List.of(), null);
  }

  static TrialResult evaluate(Trial trial, int dims) {
    double f1 = ((Number) trial.params().get("x0")).doubleValue();
    double sum = 0;
    for (int i = 1; i < dims; i++) {
      sum += ((Number) trial.params().get("x" + i)).doubleValue();
    }
    double g = 1 + 9 * sum / Math.max(1, dims - 1);
    double f2 = g * (1 - Math.sqrt(f1 / g));
    return new TrialResult(trial.id(), TrialStatus.COMPLETED, 1, 1L, Map.of("eval_rmse", f1, "eval_mae", f2),
        List.of(), trial.params(), trial.seed(), null, null, 0);
  }

  /**
   * The hypervolume of the true front up to {@link #REFERENCE}: for f1 in [0, 1] it covers f2 from
   * 1 - sqrt(f1) to 1.1, 0.1 + 2/3 in all; for f1 in [1, 1.1] the point (1, 0) covers 1.1.
   */
  static double trueHypervolume() {
    return 0.1 + 2.0 / 3.0 + 0.1 * 1.1;
  }
}
