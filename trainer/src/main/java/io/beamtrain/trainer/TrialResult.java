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
 * (training time over all attempts), {@code lineage} (population-based training only, omitted when
 * empty: each time the trial took another trial's checkpoint, see {@link Exploit}). Non-finite
 * metric values are written as null and read back as NaN. Immutable.
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
    double elapsedSeconds,
    List<Exploit> lineage)
    implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public TrialResult {
    Objects.requireNonNull(trial, "trial");
    Objects.requireNonNull(status, "status");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    history = List.copyOf(history);
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    lineage = lineage == null ? List.of() : List.copyOf(lineage);
  }

  /** A result with no lineage (every trial outside population-based training). */
  public TrialResult(
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
      double elapsedSeconds) {
    this(trial, status, steps, bestStep, metrics, history, params, seed, error, reason, elapsedSeconds, List.of());
  }

  /**
   * One exploit of population-based training: at {@code step} the trial's checkpoint was replaced
   * by a copy of {@code donor}'s latest one, and its hyperparameters went from {@code before} to
   * {@code after} (the donor's, perturbed). Both maps are complete (every hyperparameter the trial
   * trains with), so the last entry's {@code after} is what the trial trains with from then on.
   */
  public record Exploit(long step, String donor, Map<String, Object> before, Map<String, Object> after)
      implements Serializable {
    public Exploit {
      Objects.requireNonNull(donor, "donor");
      before = Collections.unmodifiableMap(new LinkedHashMap<>(before));
      after = Collections.unmodifiableMap(new LinkedHashMap<>(after));
    }
  }

  /**
   * The hyperparameters the trial trains with now: {@code params} as the trial started, or after
   * its latest exploit that exploit's {@code after}.
   */
  public Map<String, Object> currentParams() {
    return lineage.isEmpty() ? params : lineage.get(lineage.size() - 1).after();
  }

  /** This result with {@code lineage} instead of its own. */
  public TrialResult withLineage(List<Exploit> lineage) {
    return new TrialResult(
        trial, status, steps, bestStep, metrics, history, params, seed, error, reason, elapsedSeconds, lineage);
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
        recorded.elapsedSeconds + elapsedSeconds,
        recorded.lineage);
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
    if (!lineage.isEmpty()) {
      ArrayNode lineageNode = root.putArray("lineage");
      for (Exploit exploit : lineage) {
        ObjectNode entry = lineageNode.addObject();
        entry.put("step", exploit.step());
        entry.put("donor", exploit.donor());
        entry.set("before", JSON.valueToTree(exploit.before()));
        entry.set("after", JSON.valueToTree(exploit.after()));
      }
    }
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
      List<Exploit> lineage = new ArrayList<>();
      for (JsonNode entry : root.path("lineage")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> before = JSON.convertValue(entry.path("before"), LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> after = JSON.convertValue(entry.path("after"), LinkedHashMap.class);
        lineage.add(new Exploit(required(entry, "step", source).asLong(), required(entry, "donor", source).asText(),
            before == null ? Map.of() : before, after == null ? Map.of() : after));
      }
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
          root.path("elapsed_seconds").asDouble(),
          lineage);
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
