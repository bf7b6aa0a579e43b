package io.beamtrain.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamtrain.checkpointing.Goal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code pareto.json} says about a multi-objective or constrained study: its objectives, which
 * trials are on the feasible front and which broke a constraint (with what they broke). The
 * trials' metric values come from their results, as for every other view. Immutable.
 *
 * @param objectives the study's metrics with their goals, in the file's order
 * @param front trial ids of the non-dominated feasible trials
 * @param infeasible trial id to the constraints it breaks, as the file words them
 */
record ParetoRecord(List<MetricChoice> objectives, Set<String> front, Map<String, String> infeasible) {


  ParetoRecord {
    objectives = List.copyOf(objectives);
    front = Collections.unmodifiableSet(new LinkedHashSet<>(front));
    infeasible = Collections.unmodifiableMap(new LinkedHashMap<>(infeasible));
  }

  /** Parses pareto.json; {@code source} names it in errors. */
  static ParetoRecord parse(String json, String source) {
    JsonNode root = ResultJson.object(json, source);
    List<MetricChoice> objectives = new ArrayList<>();
    JsonNode metrics = root.path("metrics");
    for (int i = 0; i < metrics.size(); i++) {
      JsonNode metric = metrics.get(i);
      String name = metric.path("metric").asText("");
      String goal = metric.path("goal").asText("");
      if (name.isEmpty()) {
        throw new IllegalArgumentException(source + ": field 'metrics[" + i + "].metric' is missing");
      }
      try {
        objectives.add(new MetricChoice(name, Goal.valueOf(goal.toUpperCase(Locale.ROOT))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + ": field 'metrics[" + i + "].goal' is '" + goal + "', expected MINIMIZE or MAXIMIZE", e);
      }
    }
    Set<String> front = new LinkedHashSet<>();
    for (JsonNode entry : root.path("front")) {
      front.add(entry.path("trial").asText());
    }
    Map<String, String> infeasible = new LinkedHashMap<>();
    for (JsonNode entry : root.path("infeasible")) {
      JsonNode violates = entry.path("violates");
      List<String> broken = new ArrayList<>();
      if (violates.isArray()) {
        violates.forEach(v -> broken.add(v.isTextual() ? v.asText() : v.toString()));
      } else if (!violates.isMissingNode() && !violates.isNull()) {
        broken.add(violates.isTextual() ? violates.asText() : violates.toString());
      }
      infeasible.put(entry.path("trial").asText(), String.join("; ", broken));
    }
    return new ParetoRecord(objectives, front, infeasible);
  }
}
