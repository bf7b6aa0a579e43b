package io.beamtrain.pipelines.sweep;

import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.Serializable;
import java.util.Comparator;

/**
 * Orders trials by a study metric: eligible trials (COMPLETED or STOPPED with a finite value of
 * the metric at their best step) before the rest, better values first, ties broken by trial id
 * so the winner never depends on the order results arrive in. DIVERGED and FAILED trials are not
 * eligible. Serializable for use inside Beam combiners.
 */
public record TrialRanking(MetricSpec metric) implements Serializable {

  /** Whether the trial can win: it finished training and reported a finite metric value. */
  public boolean isEligible(TrialResult result) {
    return (result.status() == TrialStatus.COMPLETED || result.status() == TrialStatus.STOPPED)
        && Double.isFinite(result.metric(metric.name()));
  }

  /** True when {@code a} ranks strictly before {@code b}. */
  public boolean isBetter(TrialResult a, TrialResult b) {
    return comparator().compare(a, b) < 0;
  }

  /** Best first; a total order over distinct trial ids. */
  public Comparator<TrialResult> comparator() {
    return (a, b) -> {
      boolean ea = isEligible(a);
      boolean eb = isEligible(b);
      if (ea != eb) {
        return ea ? -1 : 1;
      }
      if (ea) {
        double va = a.metric(metric.name());
        double vb = b.metric(metric.name());
        if (metric.goal().isBetter(va, vb)) {
          return -1;
        }
        if (metric.goal().isBetter(vb, va)) {
          return 1;
        }
      }
      return a.trial().compareTo(b.trial());
    };
  }
}
