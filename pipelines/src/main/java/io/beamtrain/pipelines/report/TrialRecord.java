package io.beamtrain.pipelines.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One trial as the report shows it, read from a {@code results.jsonl} line or a trial's {@code
 * result.json}. Lenient on purpose: a running sweep's files may lack fields, and a newer trainer may
 * add fields or statuses, so absent numbers are null, metric values that are not finite numbers
 * are NaN, and the status is kept as written. Immutable.
 *
 * @param trial the trial id
 * @param status COMPLETED, DIVERGED, STOPPED, FAILED, RUNNING, or whatever the file says
 * @param steps training steps run, null when absent
 * @param bestStep the step the metrics were taken at, null before the first evaluation
 * @param metrics metric name to value at {@code bestStep}
 * @param history one entry per evaluation, in file order
 * @param params hyperparameters as written (numbers, strings, booleans, lists)
 * @param error why the trial FAILED, or null
 * @param reason why it DIVERGED or STOPPED, or null
 * @param elapsedSeconds training time, null when absent
 * @param lineage population-based training's exploits of the trial, oldest first (empty otherwise)
 */
public record TrialRecord(
    String trial,
    String status,
    Long steps,
    Long bestStep,
    Map<String, Double> metrics,
    List<Evaluation> history,
    Map<String, Object> params,
    String error,
    String reason,
    Double elapsedSeconds,
    List<Exploit> lineage) {

  /** A trial without a lineage. */
  public TrialRecord(String trial, String status, Long steps, Long bestStep, Map<String, Double> metrics,
      List<Evaluation> history, Map<String, Object> params, String error, String reason, Double elapsedSeconds) {
    this(trial, status, steps, bestStep, metrics, history, params, error, reason, elapsedSeconds, List.of());
  }

  /** One exploit: at {@code step} the trial took {@code donor}'s checkpoint, its values going from {@code before} to {@code after}. */
  public record Exploit(long step, String donor, Map<String, Object> before, Map<String, Object> after) {
    public Exploit {
      before = Collections.unmodifiableMap(new LinkedHashMap<>(before));
      after = Collections.unmodifiableMap(new LinkedHashMap<>(after));
    }
  }

  /** One evaluation of a trial: the step and the metric values. */
  public record Evaluation(long step, Map<String, Double> metrics) {
    public Evaluation {
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** The value of {@code name}, NaN when absent. */
    public double metric(String name) {
      return metrics.getOrDefault(name, Double.NaN);
    }
  }

  public TrialRecord {
    Objects.requireNonNull(trial, "trial");
    Objects.requireNonNull(status, "status");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    history = List.copyOf(history);
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    lineage = lineage == null ? List.of() : List.copyOf(lineage);
  }

  /** The value of {@code name} at the best step, NaN when absent. */
  public double metric(String name) {
    return metrics.getOrDefault(name, Double.NaN);
  }

  /** Whether any evaluation has a finite value of {@code name} (so it has a learning curve). */
  public boolean hasCurve(String name) {
    return history.stream().anyMatch(e -> Double.isFinite(e.metric(name)));
  }
}
