package io.beamtrain.pipelines.study;

import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a study optimises: one or more {@link Objective}s (the spec's {@code metrics} list, or its
 * single {@code metric}), the {@link OutcomeConstraint}s a trial must meet to be feasible, and the
 * metric that picks {@code best/} among the feasible trials ({@code select}, default the first
 * objective).
 *
 * <p>The trainer keeps each trial's best checkpoint by one metric, {@link #trainerMetric}: the
 * first {@code eval_*} objective (model metrics do not change over steps). The selection rule is
 * lexicographic: feasible before infeasible, then the {@code select} metric, then the other
 * objectives in order, then the trial id. A lexicographic optimum is never dominated, so the
 * winner is always on the Pareto front of the feasible trials.
 */
public record StudyObjectives(List<Objective> metrics, List<OutcomeConstraint> constraints, String select)
    implements Serializable {

  public StudyObjectives {
    metrics = List.copyOf(metrics);
    constraints = List.copyOf(constraints == null ? List.of() : constraints);
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("a study needs at least one metric");
    }
    select = select == null ? metrics.get(0).metric() : select;
  }

  /** The objectives of a single-metric study: that metric, no constraints. */
  public static StudyObjectives single(MetricSpec metric) {
    return new StudyObjectives(List.of(new Objective(metric.name(), metric.goal())), List.of(), null);
  }

  /** Whether the study trades off more than one metric (a Pareto front, not one best value). */
  public boolean isMultiObjective() {
    return metrics.size() > 1;
  }

  /** Whether this is the plain single-metric form, written to study.json as {@code metric:} alone. */
  public boolean isSingleMetricOnly() {
    return metrics.size() == 1 && constraints.isEmpty() && select.equals(metrics.get(0).metric());
  }

  /** The first {@code eval_*} objective: the trainer's keep-best and early-stopping metric. */
  public MetricSpec trainerMetric() {
    for (Objective o : metrics) {
      if (MetricSpec.NAMES.contains(o.metric())) {
        return new MetricSpec(o.metric(), o.goal());
      }
    }
    throw new InvalidStudyException("metrics", "needs at least one eval_* metric (the trainer keeps"
        + " each trial's best checkpoint by it), e.g. {metric: eval_loss, goal: MINIMIZE}");
  }

  /** The objective {@code select} names. */
  public Objective selectObjective() {
    return metrics.stream().filter(o -> o.metric().equals(select)).findFirst()
        .orElseThrow(() -> new InvalidStudyException("select.metric",
            "'" + select + "' is not one of the study's metrics " + names()));
  }

  /** The objective metric names, in order. */
  public List<String> names() {
    return metrics.stream().map(Objective::metric).toList();
  }

  /**
   * Whether the trial can be ranked at all: it finished training (COMPLETED or STOPPED) with a
   * finite value of every objective.
   */
  public boolean isComplete(TrialResult result) {
    if (result.status() != TrialStatus.COMPLETED && result.status() != TrialStatus.STOPPED) {
      return false;
    }
    return metrics.stream().allMatch(o -> Double.isFinite(result.metric(o.metric())));
  }

  /** Whether the trial meets every constraint. */
  public boolean isFeasible(TrialResult result) {
    return constraints.stream().allMatch(c -> c.allows(result.metric(c.metric())));
  }

  /** The constraints the trial breaks, described with its values, e.g. {@code model_params <= 20000.0 (was 35011.0)}. */
  public List<String> violations(TrialResult result) {
    List<String> out = new ArrayList<>();
    for (OutcomeConstraint c : constraints) {
      double value = result.metric(c.metric());
      if (!c.allows(value)) {
        out.add(c.describe() + " (was " + (Double.isFinite(value) ? value : "missing") + ")");
      }
    }
    return out;
  }

  /** Total amount by which the trial breaks the constraints (0 when feasible). */
  public double violation(TrialResult result) {
    double total = 0;
    for (OutcomeConstraint c : constraints) {
      total += c.violation(result.metric(c.metric()));
    }
    return total;
  }

  /** The trial's objective values as costs (smaller is better), in {@link #metrics} order. */
  public double[] costs(TrialResult result) {
    double[] costs = new double[metrics.size()];
    for (int i = 0; i < costs.length; i++) {
      Objective o = metrics.get(i);
      costs[i] = o.cost(result.metric(o.metric()));
    }
    return costs;
  }

  /** Every metric the study reads: objectives, then constrained ones not among them. */
  public List<String> readMetrics() {
    List<String> out = new ArrayList<>(names());
    constraints.forEach(c -> {
      if (!out.contains(c.metric())) {
        out.add(c.metric());
      }
    });
    return out;
  }
}
