package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.importance.Observation;
import io.beamtrain.pipelines.importance.PedAnova;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The importance of a sweep's searched hyperparameters for its metric ({@link PedAnova}): the
 * trials with a value, scored so larger is better, parameters on a log axis (the study's {@code
 * scale: LOG}, else values spanning more than {@value LogScale#MIN_RATIO}x) compared in log space.
 * FAILED trials count with no value. Stateless.
 */
final class ParamImportance {
  private ParamImportance() {}

  /** Parameter to share (largest first, summing to 1); empty when too few trials have values. */
  static Map<String, Double> of(SweepSnapshot snapshot, ParamColumns params) {
    String metric = snapshot.metric().name();
    boolean maximize = snapshot.metric().goal() == Goal.MAXIMIZE;
    List<Observation> observations = new ArrayList<>();
    for (TrialRecord trial : snapshot.trials()) {
      Map<String, Object> searched = new java.util.LinkedHashMap<>();
      for (String name : params.varying()) {
        Object value = trial.params().get(name);
        if (value != null) {
          searched.put(name, value);
        }
      }
      double value = trial.metric(metric);
      observations.add(new Observation(searched, maximize ? value : -value));
    }
    Set<String> logScaled = new HashSet<>();
    for (String name : params.varying()) {
      StudyFile.Domain domain = snapshot.study().domains().get(name);
      List<Object> values = new ArrayList<>();
      snapshot.trials().forEach(t -> values.add(t.params().get(name)));
      boolean log = domain != null ? domain.log() : AxisScale.forValues(values) instanceof LogScale;
      if (log) {
        logScaled.add(name);
      }
    }
    return PedAnova.importances(observations, logScaled);
  }
}
