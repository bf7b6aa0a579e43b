package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The winning trial as {@code best/best.json} records it, or as the report picks it from the trials
 * while the sweep runs ({@link #exported} false). Immutable.
 *
 * @param trial the trial id
 * @param metricName the metric the sweep optimises
 * @param goal its direction
 * @param value the winner's value of the metric
 * @param step the step of the winning checkpoint, null when unknown
 * @param params the winner's hyperparameters
 * @param checkpoint the source checkpoint prefix, null when unknown
 * @param exported whether this comes from best.json (the export step ran)
 */
public record BestRecord(
    String trial,
    String metricName,
    Goal goal,
    double value,
    Long step,
    Map<String, Object> params,
    String checkpoint,
    boolean exported) {

  public BestRecord {
    Objects.requireNonNull(trial, "trial");
    Objects.requireNonNull(metricName, "metricName");
    Objects.requireNonNull(goal, "goal");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }
}
