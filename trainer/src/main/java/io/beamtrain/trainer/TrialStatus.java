package io.beamtrain.trainer;

/** How a trial ended (the {@code status} of result.json). */
public enum TrialStatus {
  /** Trained all its steps. */
  COMPLETED,
  /** The training loss became NaN or infinite; the last good checkpoint is kept. */
  DIVERGED,
  /** Early stopping: the metric did not improve for {@code earlyStoppingPatience} evaluations. */
  STOPPED,
  /** Bad input or an error; set by the caller that caught the exception (the sweep). */
  FAILED,
  /**
   * Still training: written to result.json at each checkpoint so a crashed attempt leaves its
   * history behind for the resume. {@code train.TrialRunner.run} never returns it.
   */
  RUNNING;

  /** Whether the trial will not train further when run again with the same budget. */
  public boolean isFinal() {
    return this != RUNNING;
  }
}
