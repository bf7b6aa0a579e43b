package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the report shows: a sweep's trials, its metric, the winner and its exports, read at one
 * moment (the sweep may still be running). Immutable.
 *
 * @param outputDir the sweep's output directory as given
 * @param source which files the trials came from, for the page footer
 * @param trials the trials in file order
 * @param metric the metric trials are ranked by
 * @param best the winner (from best.json, or the best so far), empty when no trial has a value
 * @param exports the winner's export paths and whether they exist
 * @param study what study.json says (metric, parameter domains); empty when it is absent
 * @param readAt when the files were read
 * @param finishedAt when each trial's {@code result.json} was last written (the storage's
 *     modification time), for the optimisation history against wall time; trials whose file was
 *     not listed are absent
 * @param pareto what pareto.json says, empty for a single-objective study
 * @param finished whether the sweep has finished: its results.jsonl (the sweep's final word) exists
 */
public record SweepSnapshot(
    String outputDir,
    String source,
    List<TrialRecord> trials,
    MetricChoice metric,
    Optional<BestRecord> best,
    List<ExportPath> exports,
    StudyFile study,
    Instant readAt,
    Map<String, Instant> finishedAt,
    Optional<ParetoRecord> pareto,
    boolean finished) {

  /** A file of the winner's export, with whether it exists yet. */
  public record ExportPath(String label, String path, boolean exists) {}

  public SweepSnapshot {
    Objects.requireNonNull(outputDir, "outputDir");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(study, "study");
    trials = List.copyOf(trials);
    exports = List.copyOf(exports);
    finishedAt = Map.copyOf(finishedAt);
    Objects.requireNonNull(pareto, "pareto");
  }


  /**
   * Trials from best to worst by the metric at their best step; trials without a finite value
   * follow in file order. Ties keep file order.
   */
  public List<TrialRecord> ranked() {
    List<TrialRecord> out = new ArrayList<>(trials);
    Comparator<TrialRecord> byMetric =
        Comparator.comparingDouble(
            t -> {
              double v = t.metric(metric.name());
              if (!Double.isFinite(v)) {
                return Double.POSITIVE_INFINITY;
              }
              return metric.goal() == Goal.MAXIMIZE ? -v : v;
            });
    out.sort(byMetric);
    return out;
  }

  /** Trial id to 1-based rank; trials without a finite metric value are absent. */
  public Map<String, Integer> ranks() {
    Map<String, Integer> ranks = new HashMap<>();
    int rank = 1;
    for (TrialRecord trial : ranked()) {
      if (Double.isFinite(trial.metric(metric.name()))) {
        ranks.put(trial.trial(), rank++);
      }
    }
    return ranks;
  }

  /** How many trials have each status, statuses in order of first appearance. */
  public Map<String, Integer> statusCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (TrialRecord trial : trials) {
      counts.merge(trial.status(), 1, Integer::sum);
    }
    return counts;
  }

  /** The winner's id, or null. */
  public String bestTrial() {
    return best.map(BestRecord::trial).orElse(null);
  }
}
