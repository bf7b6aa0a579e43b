package io.beamtrain.pipelines.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A sweep's best-so-far as trials finish: the trials in the order their result.json was last
 * written (file order for those without a time), each with the training steps of all trials up to
 * it, the wall time since the sweep started, its own value and the best value so far.
 *
 * <p>Wall time: the files hold no clock time, so the sweep's start is estimated as the earliest
 * {@code finish - elapsed_seconds} of its trials, and a trial's time is when its result.json was
 * last written. For adaptive searches that resume a trial for a later rung, that is the end of its
 * last rung. Immutable.
 *
 * @param points one per trial with a finite value, in finishing order
 */
record OptimizationHistory(List<Point> points) {

  /**
   * One finished trial.
   *
   * @param trial the trial id
   * @param cumulativeSteps training steps of this and every earlier-finished trial
   * @param wallSeconds seconds from the sweep's start to the trial's finish, NaN when unknown
   * @param value the trial's metric at its best step
   * @param bestSoFar the best value of this and every earlier-finished trial
   */
  record Point(String trial, long cumulativeSteps, double wallSeconds, double value, double bestSoFar) {}

  OptimizationHistory {
    points = List.copyOf(points);
  }

  /** The history of {@code snapshot} by its metric. */
  static OptimizationHistory of(SweepSnapshot snapshot) {
    MetricChoice metric = snapshot.metric();
    List<TrialRecord> ordered = new ArrayList<>(snapshot.trials());
    // Stable sort: trials without a time keep file order, after the timed ones.
    ordered.sort(Comparator.comparing(
        (TrialRecord t) -> snapshot.finishedAt().get(t.trial()),
        Comparator.nullsLast(Comparator.naturalOrder())));
    Instant start = null;
    for (TrialRecord trial : ordered) {
      Instant finished = snapshot.finishedAt().get(trial.trial());
      if (finished != null) {
        double elapsed = trial.elapsedSeconds() == null ? 0 : trial.elapsedSeconds();
        Instant began = finished.minusMillis(Math.round(elapsed * 1000));
        start = start == null || began.isBefore(start) ? began : start;
      }
    }
    List<Point> points = new ArrayList<>();
    long steps = 0;
    double best = Double.NaN;
    for (TrialRecord trial : ordered) {
      steps += trial.steps() == null ? 0 : trial.steps();
      double value = trial.metric(metric.name());
      if (!Double.isFinite(value)) {
        continue;
      }
      best = Double.isNaN(best) || metric.isBetter(value, best) ? value : best;
      Instant finished = snapshot.finishedAt().get(trial.trial());
      double wall = finished == null || start == null
          ? Double.NaN
          : Duration.between(start, finished).toMillis() / 1000.0;
      points.add(new Point(trial.trial(), steps, wall, value, best));
    }
    return new OptimizationHistory(points);
  }

  /** Whether every point has a wall time. */
  boolean hasWallTime() {
    return !points.isEmpty() && points.stream().allMatch(p -> Double.isFinite(p.wallSeconds()));
  }
}
