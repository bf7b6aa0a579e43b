package io.beamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrialResultTest {

  private static TrialResult sample() {
    Map<String, Double> m100 = new LinkedHashMap<>();
    m100.put("eval_loss", 0.5);
    m100.put("eval_accuracy", 0.8);
    Map<String, Double> m200 = new LinkedHashMap<>();
    m200.put("eval_loss", 0.25);
    m200.put("eval_accuracy", 0.9);
    return new TrialResult(
        "trial-0003",
        TrialStatus.COMPLETED,
        200,
        200L,
        m200,
        List.of(new TrialResult.Evaluation(100, m100), new TrialResult.Evaluation(200, m200)),
        Map.of("learning_rate", 0.01, "hidden_layers", "64,32"),
        42,
        null,
        null,
        1.5);
  }

  @Test
  void jsonHasTheDesignFieldsAndRoundTrips() throws Exception {
    TrialResult result = sample();
    String json = result.toJson();
    assertFalse(json.contains("\n"), "a results.jsonl line must be one line");
    JsonNode node = new ObjectMapper().readTree(json);
    for (String field :
        List.of("trial", "status", "steps", "best_step", "metrics", "history", "params", "seed",
            "error", "reason", "elapsed_seconds")) {
      assertTrue(node.has(field), "missing " + field + " in " + json);
    }
    assertEquals(200, node.get("history").get(1).get("step").asInt());
    assertEquals(0.25, node.get("history").get(1).get("eval_loss").asDouble());
    assertEquals(0.9, node.get("metrics").get("eval_accuracy").asDouble());
    assertEquals(result, TrialResult.fromJson(json, "x"));
    assertEquals(result, TrialResult.fromJson(result.toPrettyJson(), "x"));
  }

  @Test
  void nonFiniteMetricsBecomeNullAndReadBackAsNaN() {
    TrialResult diverged =
        new TrialResult(
            "t", TrialStatus.DIVERGED, 7, null, Map.of(),
            List.of(new TrialResult.Evaluation(5, Map.of("eval_loss", Double.NaN))),
            Map.of(), 1, null, "train loss is NaN at step 7", 0.1);
    String json = diverged.toJson();
    assertTrue(json.contains("\"eval_loss\":null") && json.contains("\"best_step\":null"), json);
    TrialResult back = TrialResult.fromJson(json, "x");
    assertNull(back.bestStep());
    assertTrue(Double.isNaN(back.history().get(0).metric("eval_loss")));
    assertEquals("train loss is NaN at step 7", back.reason());
  }

  @Test
  void failedResultAndBadJsonNameTheSource() {
    TrialResult failed = TrialResult.failed("t9", Map.of("dropout", 2), 5, "hyperparameter 'dropout' out of range", 0);
    assertEquals(TrialStatus.FAILED, TrialResult.fromJson(failed.toJson(), "x").status());
    IllegalArgumentException notJson =
        assertThrows(IllegalArgumentException.class, () -> TrialResult.fromJson("{oops", "gs://b/t/result.json"));
    assertTrue(notJson.getMessage().startsWith("gs://b/t/result.json: not valid JSON"), notJson.getMessage());
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> TrialResult.fromJson("{\"trial\":\"a\"}", "r.json"));
    assertEquals("r.json: missing field 'status'", missing.getMessage());
  }
}
