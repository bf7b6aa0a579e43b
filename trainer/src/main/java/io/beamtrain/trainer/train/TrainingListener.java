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

  /** After the checkpoint of global step {@code step} was committed. */
  default void onCheckpoint(long step) {}
}
