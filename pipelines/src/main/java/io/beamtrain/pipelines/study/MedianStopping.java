package io.beamtrain.pipelines.study;

import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The median stopping rule of Google Vizier (Golovin et al., KDD 2017), at equal steps: at an
 * evaluation at step {@code s >= minSteps}, a trial stops when its best metric so far is worse
 * than the median, over the reference trials that were evaluated at exactly step {@code s}, of
 * their best metric up to {@code s}. Needs at least {@code minTrials} such references, so the
 * first trials of a study always run to the end. The references are finished trials of earlier
 * rounds (the pipeline passes them as a side input), which keeps the decision independent of
 * which trials happen to run at the same time. Immutable and thread-safe.
 *
 * @param minSteps no trial stops before this step (default {@value #DEFAULT_MIN_STEPS})
 * @param minTrials references needed at a step before the rule applies there (default {@value
 *     #DEFAULT_MIN_TRIALS})
 */
public record MedianStopping(int minSteps, int minTrials) implements Serializable {
  public static final int DEFAULT_MIN_STEPS = 0;
  public static final int DEFAULT_MIN_TRIALS = 3;

  public MedianStopping {
    if (minSteps < 0) {
      throw new IllegalArgumentException("earlyStopping.minSteps must be >= 0, was " + minSteps);
    }
    if (minTrials < 1) {
      throw new IllegalArgumentException("earlyStopping.minTrials must be >= 1, was " + minTrials);
    }
  }

  public static MedianStopping defaults() {
    return new MedianStopping(DEFAULT_MIN_STEPS, DEFAULT_MIN_TRIALS);
  }

  /**
   * Why the trial should stop at {@code step}, or null to go on.
   *
   * @param bestSoFar the trial's best metric value up to and including {@code step}
   * @param references finished trials to compare with (their histories)
   */
  public String stopReason(
      MetricSpec metric, long step, double bestSoFar, Collection<TrialResult> references) {
    if (step < minSteps) {
      return null;
    }
    List<Double> values = new ArrayList<>();
    for (TrialResult reference : references) {
      double best = bestUpTo(reference, metric, step);
      if (!Double.isNaN(best)) {
        values.add(best);
      }
    }
    if (values.size() < minTrials) {
      return null;
    }
    double median = median(values);
    if (!Double.isFinite(bestSoFar) || metric.goal().isBetter(median, bestSoFar)) {
      return String.format(Locale.ROOT,
          "median stopping at step %d: best %s %.6g is worse than the median %.6g of %d earlier trials at that step",
          step, metric.name(), bestSoFar, median, values.size());
    }
    return null;
  }

  /** The reference's best value up to {@code step}, or NaN unless it was evaluated at exactly {@code step}. */
  public static double bestUpTo(TrialResult reference, MetricSpec metric, long step) {
    return bestUpTo(reference, metric, step, true);
  }

  /** The best value up to {@code step}; NaN if none, or if {@code exactly} and not evaluated at {@code step}. */
  public static double bestUpTo(TrialResult reference, MetricSpec metric, long step, boolean exactly) {
    boolean evaluatedAtStep = !exactly;
    double best = Double.NaN;
    for (Evaluation e : reference.history()) {
      if (e.step() > step) {
        continue;
      }
      evaluatedAtStep |= e.step() == step;
      double value = e.metric(metric.name());
      if (Double.isFinite(value) && (Double.isNaN(best) || metric.goal().isBetter(value, best))) {
        best = value;
      }
    }
    return evaluatedAtStep ? best : Double.NaN;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
