package io.beamtrain.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a trial, written as {@code result.json} and (one line) to {@code results.jsonl}.
 *
 * <p>JSON fields: {@code trial}, {@code status}, {@code steps} (the global step the trial's model
 * reached, over all attempts and rungs), {@code best_step} (null before the first evaluation),
 * {@code metrics} (name to value at {@code best_step}), {@code history} (one object per
 * evaluation: {@code step} and the metric values), {@code params} (as given), {@code seed}, {@code
 * error} (why it FAILED), {@code reason} (why it DIVERGED or STOPPED), {@code elapsed_seconds}
 * (training time over all attempts). Non-finite metric values are written as null and read back
 * as NaN. Immutable.
 */
public record TrialResult(
    String trial,
    TrialStatus status,
    long steps,
    Long bestStep,
    Map<String, Double> metrics,
    List<Evaluation> history,
    Map<String, Object> params,
    long seed,
    String error,
    String reason,
    double elapsedSeconds)
    implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public TrialResult {
    Objects.requireNonNull(trial, "trial");
    Objects.requireNonNull(status, "status");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    history = List.copyOf(history);
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** One evaluation: the step and the metric values (name to value, in computation order). */
  public record Evaluation(long step, Map<String, Double> metrics) implements Serializable {
    public Evaluation {
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    public double metric(String name) {
      Double value = metrics.get(name);
      return value == null ? Double.NaN : value;
    }
  }

  /** A FAILED result for a trial that threw; {@code error} should name the bad input. */
  public static TrialResult failed(
      String trial, Map<String, ?> params, long seed, String error, double elapsedSeconds) {
    return new TrialResult(
        trial,
        TrialStatus.FAILED,
        0,
        null,
        Map.of(),
        List.of(),
        new LinkedHashMap<>(params),
        seed,
        error,
        null,
        elapsedSeconds);
  }

  /**
   * This (FAILED) result carrying the progress {@code recorded} -- the result.json an earlier
   * attempt, or this one at its last checkpoint, wrote -- holds: its steps, best step, metrics and
   * history, with both elapsed times added. The checkpoints that progress describes are still
   * there, so a failure must not erase it (the next attempt resumes from them).
   */
  public TrialResult keepingProgressOf(TrialResult recorded) {
    return new TrialResult(
        trial,
        status,
        recorded.steps,
        recorded.bestStep,
        recorded.metrics,
        recorded.history,
        params,
        seed,
        error,
        reason,
        recorded.elapsedSeconds + elapsedSeconds);
  }

  /** The value of {@code name} at the best step, NaN when absent. */
  public double metric(String name) {
    Double value = metrics.get(name);
    return value == null ? Double.NaN : value;
  }

  /** The JSON object on one line (a {@code results.jsonl} line). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toTree());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize result of trial " + trial, e);
    }
  }

  /** The JSON object, indented (the {@code result.json} file). */
  public String toPrettyJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toTree());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize result of trial " + trial, e);
    }
  }

  private ObjectNode toTree() {
    ObjectNode root = JSON.createObjectNode();
    root.put("trial", trial);
    root.put("status", status.name());
    root.put("steps", steps);
    if (bestStep == null) {
      root.putNull("best_step");
    } else {
      root.put("best_step", bestStep);
    }
    root.set("metrics", metricsNode(metrics));
    ArrayNode historyNode = root.putArray("history");
    for (Evaluation evaluation : history) {
      ObjectNode entry = JSON.createObjectNode();
      entry.put("step", evaluation.step());
      entry.setAll(metricsNode(evaluation.metrics()));
      historyNode.add(entry);
    }
    root.set("params", JSON.valueToTree(params));
    root.put("seed", seed);
    root.put("error", error);
    root.put("reason", reason);
    root.put("elapsed_seconds", elapsedSeconds);
    return root;
  }

  private static ObjectNode metricsNode(Map<String, Double> values) {
    ObjectNode node = JSON.createObjectNode();
    values.forEach(
        (name, value) -> {
          if (value == null || !Double.isFinite(value)) {
            node.putNull(name);
          } else {
            node.put(name, value);
          }
        });
    return node;
  }

  /** Parses {@link #toJson()} output; {@code source} names the file in error messages. */
  public static TrialResult fromJson(String json, String source) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException(source + ": not a JSON object");
      }
      List<Evaluation> history = new ArrayList<>();
      for (JsonNode entry : root.path("history")) {
        Map<String, Double> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = entry.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          if (!field.getKey().equals("step")) {
            values.put(field.getKey(), number(field.getValue()));
          }
        }
        history.add(new Evaluation(required(entry, "step", source).asLong(), values));
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      root.path("metrics").fields().forEachRemaining(f -> metrics.put(f.getKey(), number(f.getValue())));
      @SuppressWarnings("unchecked")
      Map<String, Object> params =
          root.hasNonNull("params") ? JSON.convertValue(root.get("params"), LinkedHashMap.class) : Map.of();
      JsonNode best = root.path("best_step");
      return new TrialResult(
          required(root, "trial", source).asText(),
          TrialStatus.valueOf(required(root, "status", source).asText()),
          required(root, "steps", source).asLong(),
          best.isNumber() ? best.asLong() : null,
          metrics,
          history,
          params,
          root.path("seed").asLong(),
          text(root, "error"),
          text(root, "reason"),
          root.path("elapsed_seconds").asDouble());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode node, String field, String source) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException(source + ": missing field '" + field + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static double number(JsonNode node) {
    return node.isNumber() ? node.asDouble() : Double.NaN;
  }
}
