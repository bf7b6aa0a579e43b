package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Objective;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.Serializable;
import java.util.Comparator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The one ranking of trials by a study metric, for picking the winner and for promotions alike:
 * eligible trials before the rest, better values of the metric at their best step first (in the
 * goal's direction), ties broken by trial id so the order never depends on the order results
 * arrive in. A trial can win when it is COMPLETED or STOPPED with a finite metric ({@link
 * #isEligible}); it can be promoted to a larger budget only when COMPLETED (a STOPPED trial has
 * nothing left to continue, {@link #isPromotable}); DIVERGED and FAILED trials are neither.
 *
 * <p>With {@link StudyObjectives} the ranked metric is the {@code select} one, a trial must also
 * meet every constraint to be eligible (an infeasible trial is never exported), and ties go to
 * the better value of the other objectives in order before the trial id: that lexicographic
 * winner is never dominated, so it is a member of the feasible Pareto front. A single-metric
 * study without constraints ranks exactly as before. Serializable for Beam's combiners ({@code
 * Combine.globally}, {@code Top.of}).
 *
 * @param metric the trainer's metric (the study's {@code metric}, or its first eval objective)
 */
public record TrialRanking(MetricSpec metric, StudyObjectives objectives)
    implements Comparator<TrialResult>, Serializable {

  public TrialRanking {
    objectives = objectives == null ? StudyObjectives.single(metric) : objectives;
  }

  /** The ranking of a single-metric study. */
  public TrialRanking(MetricSpec metric) {
    this(metric, null);
  }

  /** The ranking of a study's objectives. */
  public static TrialRanking of(StudyObjectives objectives) {
    return new TrialRanking(objectives.trainerMetric(), objectives);
  }

  /** Whether the trial can win: it finished training, reported a finite value of the ranked metric and meets the constraints. */
  public boolean isEligible(TrialResult result) {
    return (result.status() == TrialStatus.COMPLETED || result.status() == TrialStatus.STOPPED)
        && Double.isFinite(result.metric(objectives.select())) && objectives.isFeasible(result);
  }

  /** Whether a search may continue the trial at a larger budget: COMPLETED with a finite metric. */
  public boolean isPromotable(TrialResult result) {
    return result.status() == TrialStatus.COMPLETED && Double.isFinite(result.metric(metric.name()));
  }

  /** True when {@code a} ranks strictly before {@code b}. */
  public boolean isBetter(TrialResult a, TrialResult b) {
    return compare(a, b) < 0;
  }

  /** Best first; a total order over distinct trial ids. */
  public Comparator<TrialResult> comparator() {
    return this;
  }

  @Override
  public int compare(TrialResult a, TrialResult b) {
    Objective select = objectives.selectObjective();
    int bySelected = order(select.goal(), this::isEligible, (TrialResult r) -> r.metric(select.metric()), r -> "")
        .compare(a, b);
    if (bySelected != 0) {
      return bySelected;
    }
    if (isEligible(a)) {
      for (Objective other : objectives.metrics()) {
        if (!other.equals(select)) {
          int byOther = order(other.goal(), r -> true, (TrialResult r) -> r.metric(other.metric()), r -> "")
              .compare(a, b);
          if (byOther != 0) {
            return byOther;
          }
        }
      }
    }
    return a.trial().compareTo(b.trial());
  }

  /** The reverse order, for {@code Top.of}, which keeps the largest elements. */
  public WorstFirst worstFirst() {
    return new WorstFirst(this);
  }

  /**
   * The rule over any record of a trial's outcome (the ASHA schedule ranks the outcomes of its job
   * log with it): eligible first, then by {@code value} in the direction of {@code goal}, then by
   * trial id.
   */
  public static <T> Comparator<T> order(
      Goal goal, Predicate<T> eligible, ToDoubleFunction<T> value, Function<T, String> trial) {
    return (a, b) -> {
      boolean ea = eligible.test(a);
      boolean eb = eligible.test(b);
      if (ea != eb) {
        return ea ? -1 : 1;
      }
      if (ea) {
        double va = value.applyAsDouble(a);
        double vb = value.applyAsDouble(b);
        if (goal.isBetter(va, vb)) {
          return -1;
        }
        if (goal.isBetter(vb, va)) {
          return 1;
        }
      }
      return trial.apply(a).compareTo(trial.apply(b));
    };
  }

  /** {@link TrialRanking} reversed. */
  public record WorstFirst(TrialRanking ranking) implements Comparator<TrialResult>, Serializable {
    @Override
    public int compare(TrialResult a, TrialResult b) {
      return ranking.compare(b, a);
    }
  }
}
