package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.Goal;
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
 * Serializable for Beam's combiners ({@code Combine.globally}, {@code Top.of}).
 */
public record TrialRanking(MetricSpec metric) implements Comparator<TrialResult>, Serializable {

  /** Whether the trial can win: it finished training and reported a finite metric value. */
  public boolean isEligible(TrialResult result) {
    return (result.status() == TrialStatus.COMPLETED || result.status() == TrialStatus.STOPPED)
        && Double.isFinite(result.metric(metric.name()));
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
    return order(metric.goal(), this::isEligible, (TrialResult r) -> r.metric(metric.name()), TrialResult::trial)
        .compare(a, b);
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
