package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.Goal;

/**
 * Stops a trial whose metric has not improved for {@code patience} consecutive evaluations, like
 * Keras {@code EarlyStopping(patience=...)} with {@code min_delta=0}. Fed every evaluation in step
 * order (a resumed trial replays its history first, so the decision is the same as without the
 * interruption). Patience 0 disables it. Not thread-safe.
 */
public final class EarlyStopping {
  private final String metric;
  private final Goal goal;
  private final int patience;
  private double best;
  private long bestStep = -1;
  private int sinceBest;

  public EarlyStopping(String metric, Goal goal, int patience) {
    if (patience < 0) {
      throw new IllegalArgumentException("patience must be >= 0, was " + patience);
    }
    this.metric = metric;
    this.goal = goal;
    this.patience = patience;
    this.best = goal.worst();
  }

  /** Records the metric of an evaluation; returns whether training should stop now. */
  public boolean observe(long step, double value) {
    if (goal.isBetter(value, best)) {
      best = value;
      bestStep = step;
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    return patience > 0 && sinceBest >= patience;
  }

  /** Why it stopped, for the result's {@code reason}. */
  public String reason(long step) {
    return "early stopping at step "
        + step
        + ": "
        + metric
        + " did not improve for "
        + sinceBest
        + " evaluations (best "
        + best
        + " at step "
        + bestStep
        + ")";
  }
}
