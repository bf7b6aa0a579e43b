package io.beamtrain.pipelines.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Objective;
import io.beamtrain.pipelines.study.OutcomeConstraint;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.trainer.TrialResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code <output>/pareto.json} for a study with several metrics or with constraints:
 * {@code metrics} (each {@code metric}, {@code goal}), {@code constraints} (each {@code metric},
 * {@code min}, {@code max}), {@code select} (the metric best/ is chosen by), {@code front} (the
 * non-dominated feasible trials by trial id, each {@code trial}, {@code best_step}, every metric
 * of its result and its {@code params}) and {@code infeasible} (each trial that finished but
 * breaks a constraint, with the constraints it breaks and its metrics). Trials without a value of
 * every objective (FAILED, DIVERGED) are in neither list.
 */
public final class ParetoFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ParetoFile() {}

  public static void write(
      OutputLayout layout, List<TrialResult> results, StudyObjectives objectives, StorageConfig storage) {
    Storages.forPath(layout.root(), storage).writeBytes(
        layout.paretoJson(), toJson(results, objectives).getBytes(StandardCharsets.UTF_8));
  }

  static String toJson(List<TrialResult> results, StudyObjectives objectives) {
    Map<String, Object> root = new LinkedHashMap<>();
    List<Map<String, Object>> metrics = new ArrayList<>();
    for (Objective o : objectives.metrics()) {
      metrics.add(Map.of("metric", o.metric(), "goal", o.goal().name()));
    }
    root.put("metrics", metrics);
    List<Map<String, Object>> constraints = new ArrayList<>();
    for (OutcomeConstraint c : objectives.constraints()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("metric", c.metric());
      node.put("min", c.min());
      node.put("max", c.max());
      constraints.add(node);
    }
    root.put("constraints", constraints);
    root.put("select", objectives.select());
    List<Map<String, Object>> front = new ArrayList<>();
    for (TrialResult r : new ParetoOrder(objectives).front(results)) {
      Map<String, Object> node = trial(r);
      node.put("params", r.params());
      front.add(node);
    }
    root.put("front", front);
    List<Map<String, Object>> infeasible = new ArrayList<>();
    for (TrialResult r : results) {
      if (objectives.isComplete(r) && !objectives.isFeasible(r)) {
        Map<String, Object> node = trial(r);
        node.put("violates", objectives.violations(r));
        infeasible.add(node);
      }
    }
    root.put("infeasible", infeasible);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write pareto.json", e);
    }
  }

  private static Map<String, Object> trial(TrialResult r) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("trial", r.trial());
    node.put("best_step", r.bestStep());
    Map<String, Double> metrics = new LinkedHashMap<>();
    r.metrics().forEach((name, value) -> {
      if (value != null && Double.isFinite(value)) {
        metrics.put(name, value);
      }
    });
    node.put("metrics", metrics);
    return node;
  }
}
