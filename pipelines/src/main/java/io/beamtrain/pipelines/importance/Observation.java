package io.beamtrain.pipelines.importance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluated configuration: its hyperparameter values (numbers, strings, booleans) and its
 * score, larger is better (negate a metric that is minimized). Immutable.
 */
public record Observation(Map<String, Object> params, double score) {
  public Observation {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }
}
