package io.beamtrain.pipelines.search;

import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.Serializable;
import java.util.Comparator;

/**
 * Orders the trials of a rung for promotion, best first: by the study metric at the trial's best
 * evaluated step (in the goal's direction), ties broken by the smaller trial id so the cut never
 * depends on the order results arrive in. Only COMPLETED trials with a finite metric can be
 * promoted: a FAILED, DIVERGED or STOPPED trial has nothing left to continue. Serializable for
 * Beam's {@code Top} combiner.
 */
public record PromotionRanking(MetricSpec metric) implements Comparator<TrialResult>, Serializable {

  public boolean isPromotable(TrialResult result) {
    return result.status() == TrialStatus.COMPLETED && Double.isFinite(result.metric(metric.name()));
  }

  @Override
  public int compare(TrialResult a, TrialResult b) {
    double va = a.metric(metric.name());
    double vb = b.metric(metric.name());
    if (metric.goal().isBetter(va, vb)) {
      return -1;
    }
    if (metric.goal().isBetter(vb, va)) {
      return 1;
    }
    return a.trial().compareTo(b.trial());
  }

  /** The reverse order, for {@code Top.of}, which keeps the largest elements. */
  public WorstFirst worstFirst() {
    return new WorstFirst(this);
  }

  /** {@link PromotionRanking} reversed. */
  public record WorstFirst(PromotionRanking ranking) implements Comparator<TrialResult>, Serializable {
    @Override
    public int compare(TrialResult a, TrialResult b) {
      return ranking.compare(b, a);
    }
  }
}
