package io.beamtrain.trainer.train;

import java.util.Map;

/**
 * Progress callbacks of a running trial, on the training thread (keep them quick). An exception
 * thrown here aborts the trial like any other failure: committed checkpoints stay, and running the
 * trial again resumes from the latest one.
 */
public interface TrainingListener {
  TrainingListener NONE = new TrainingListener() {};

  /** After the evaluation at global step {@code step}. */
  default void onEvaluation(long step, Map<String, Double> metrics) {}

  /**
   * Asked after each evaluation (after {@link #onEvaluation}): a non-null reason stops the trial
   * there as STOPPED with that reason, checkpointed like the patience-based early stopping. Lets a
   * caller apply a stopping rule that needs other trials' results (e.g. median stopping).
   */
  default String stopReason(long step, Map<String, Double> metrics) {
    return null;
  }

  /** After the checkpoint of global step {@code step} was saved. */
  default void onCheckpoint(long step) {}

  /** After the loop of this attempt ended (completed, diverged or stopped). */
  default void onLoopEnd(LoopTimings timings) {}
}
