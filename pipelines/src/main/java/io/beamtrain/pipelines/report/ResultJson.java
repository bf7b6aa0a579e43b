package io.beamtrain.pipelines.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.Goal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the sweep's JSON files ({@code result.json}, a {@code results.jsonl} line, {@code
 * best.json}) into report records. Fields the report does not use are ignored, so newer writers
 * stay readable; a file that is not JSON, or lacks the fields that identify a trial, is an {@link
 * IllegalArgumentException} naming the file (and line) and the field. Thread-safe.
 */
final class ResultJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultJson() {}

  /** A trial from one JSON object; {@code source} names the file (and line) in errors. */
  static TrialRecord trial(String json, String source) {
    JsonNode root = object(json, source);
    List<TrialRecord.Evaluation> history = new ArrayList<>();
    JsonNode historyNode = root.path("history");
    for (int i = 0; i < historyNode.size(); i++) {
      JsonNode entry = historyNode.get(i);
      JsonNode step = entry.get("step");
      if (step == null || !step.isIntegralNumber()) {
        throw new IllegalArgumentException(
            source + ": field 'history[" + i + "].step' is missing or not an integer");
      }
      Map<String, Double> values = numbers(entry);
      values.remove("step");
      history.add(new TrialRecord.Evaluation(step.asLong(), values));
    }
    return new TrialRecord(
        requiredText(root, "trial", source),
        root.hasNonNull("status") ? root.get("status").asText() : "UNKNOWN",
        optionalLong(root, "steps"),
        optionalLong(root, "best_step"),
        numbers(root.path("metrics")),
        history,
        params(root.get("params")),
        optionalText(root, "error"),
        optionalText(root, "reason"),
        root.path("elapsed_seconds").isNumber() ? root.get("elapsed_seconds").asDouble() : null,
        lineage(root.path("lineage")));
  }

  private static List<TrialRecord.Exploit> lineage(JsonNode node) {
    List<TrialRecord.Exploit> lineage = new ArrayList<>();
    for (JsonNode entry : node) {
      if (entry.path("step").isIntegralNumber() && entry.path("donor").isTextual()) {
        lineage.add(new TrialRecord.Exploit(entry.get("step").asLong(), entry.get("donor").asText(),
            params(entry.get("before")), params(entry.get("after"))));
      }
    }
    return lineage;
  }

  /** The winner from {@code best.json}. */
  static BestRecord best(String json, String source) {
    JsonNode root = object(json, source);
    JsonNode metric = root.path("metric");
    String name = requiredText(metric, "name", source + ": metric");
    String goalText = requiredText(metric, "goal", source + ": metric");
    Goal goal;
    try {
      goal = Goal.valueOf(goalText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          source + ": field 'metric.goal' is '" + goalText + "', expected MINIMIZE or MAXIMIZE", e);
    }
    JsonNode value = metric.path("value");
    return new BestRecord(
        requiredText(root, "trial", source),
        name,
        goal,
        value.isNumber() ? value.asDouble() : Double.NaN,
        optionalLong(root, "step"),
        params(root.get("params")),
        optionalText(root, "checkpoint"),
        true);
  }

  /** {@code json} as a JSON object; otherwise an error naming {@code source} (the report's files). */
  static JsonNode object(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object");
    }
    return root;
  }

  private static String requiredText(JsonNode node, String field, String source) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.isContainerNode()) {
      throw new IllegalArgumentException(source + ": missing field '" + field + "'");
    }
    return value.asText();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Long optionalLong(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isNumber() ? value.asLong() : null;
  }

  /** Every field of an object as a number; nulls and non-numbers (non-finite values) are NaN. */
  private static Map<String, Double> numbers(JsonNode node) {
    Map<String, Double> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      out.put(field.getKey(), value.isNumber() ? value.asDouble() : Double.NaN);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> params(JsonNode node) {
    if (node == null || !node.isObject()) {
      return Map.of();
    }
    return JSON.convertValue(node, LinkedHashMap.class);
  }
}
