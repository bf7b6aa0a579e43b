package io.beamtrain.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.Goal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the report takes from the study the sweep ran, {@code <output>/study.json} (the JSON form
 * of the study spec, docs/DESIGN.md): the metric and goal, and each searched parameter's domain,
 * so plots show the whole searched range on the axis the study sampled (log for {@code scale:
 * LOG}). Fields it does not know are ignored. Immutable.
 *
 * @param metric the study's metric, or null when the file does not say
 * @param domains parameter name to domain, in spec order
 * @param fixed the study's fixed hyperparameters
 * @param algorithm the search algorithm (RANDOM, ASHA, TPE, ...), or null when the file does not say
 */
record StudyFile(MetricChoice metric, Map<String, Domain> domains, Map<String, Object> fixed, String algorithm) {
  static final String FILE_NAME = "study.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One parameter's domain: a range ({@code min}..{@code max}, log or linear, integer or not) or a
   * list of values.
   */
  record Domain(String type, Double min, Double max, boolean log, List<Object> values) {
    Domain {
      values = values == null ? null : Collections.unmodifiableList(new ArrayList<>(values));
    }

    boolean isRange() {
      return min != null && max != null;
    }

    boolean isInteger() {
      return "INTEGER".equals(type);
    }
  }

  StudyFile {
    domains = Collections.unmodifiableMap(new LinkedHashMap<>(domains));
    fixed = Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
  }

  /** A study file that says nothing (no study.json). */
  static StudyFile none() {
    return new StudyFile(null, Map.of(), Map.of(), null);
  }

  /** Parses study.json; {@code source} names it in errors. */
  @SuppressWarnings("unchecked")
  static StudyFile parse(String json, String source) {
    JsonNode root = ResultJson.object(json, source);
    MetricChoice metric = null;
    JsonNode metricNode = root.path("metric");
    if (metricNode.hasNonNull("name")) {
      String name = metricNode.get("name").asText();
      String goal = metricNode.path("goal").asText("");
      try {
        metric = goal.isEmpty()
            ? MetricChoice.natural(name)
            : new MetricChoice(name, Goal.valueOf(goal.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + ": field 'metric.goal' is '" + goal + "', expected MINIMIZE or MAXIMIZE", e);
      }
    }
    Map<String, Domain> domains = new LinkedHashMap<>();
    for (JsonNode parameter : root.path("parameters")) {
      if (!parameter.hasNonNull("name")) {
        throw new IllegalArgumentException(source + ": a parameter has no 'name'");
      }
      List<Object> values =
          parameter.path("values").isArray()
              ? JSON.convertValue(parameter.get("values"), List.class)
              : null;
      domains.put(
          parameter.get("name").asText(),
          new Domain(
              parameter.path("type").asText("").toUpperCase(Locale.ROOT),
              parameter.path("min").isNumber() ? parameter.get("min").asDouble() : null,
              parameter.path("max").isNumber() ? parameter.get("max").asDouble() : null,
              parameter.path("scale").asText("").equalsIgnoreCase("LOG"),
              values));
    }
    Map<String, Object> fixed =
        root.path("fixed").isObject() ? JSON.convertValue(root.get("fixed"), LinkedHashMap.class) : Map.of();
    String algorithm = root.hasNonNull("algorithm") ? root.get("algorithm").asText() : null;
    return new StudyFile(metric, domains, fixed, algorithm);
  }
}
