package io.beamtrain.trainer.train;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Progress callbacks of a running trial, on the training thread (keep them quick). An exception
 * thrown here aborts the trial like any other failure: committed checkpoints stay, and running the
 * trial again resumes from the latest one.
 *
 * <p>Per attempt the order is {@link #onStart}, then per evaluation {@link #onEvaluation} and
 * {@link #stopReason}, per checkpoint {@link #onCheckpoint}, and {@link #onLoopEnd} last. None is
 * called for a trial whose directory is returned as is (already finished) or that fails its
 * validation.
 */
public interface TrainingListener {
  TrainingListener NONE = new TrainingListener() {};

  /**
   * The model is restored (or initialised) and training is about to begin at global step {@code
   * step} (0 for a fresh trial, the checkpoint's step for a resumed one).
   */
  default void onStart(long step) {}

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

  /**
   * After the checkpoint of global step {@code step} was saved; {@code saveTime} is how long the
   * training loop waited for the save: the whole upload and commit with synchronous checkpoints,
   * the copy of the variables with asynchronous ones (the default; the upload and commit then
   * run in the background, overlapping the next steps).
   */
  default void onCheckpoint(long step, Duration saveTime) {}

  /** After the loop of this attempt ended (completed, diverged or stopped). */
  default void onLoopEnd(LoopTimings timings) {}

  /**
   * One listener calling {@code listeners} in order; its {@link #stopReason} is the first non-null
   * reason (every listener is still asked, so each sees every evaluation).
   */
  static TrainingListener all(TrainingListener... listeners) {
    List<TrainingListener> all = List.of(listeners);
    all.forEach(l -> Objects.requireNonNull(l, "listener"));
    return new TrainingListener() {
      @Override
      public void onStart(long step) {
        all.forEach(l -> l.onStart(step));
      }

      @Override
      public void onEvaluation(long step, Map<String, Double> metrics) {
        all.forEach(l -> l.onEvaluation(step, metrics));
      }

      @Override
      public String stopReason(long step, Map<String, Double> metrics) {
        String reason = null;
        for (TrainingListener l : all) {
          String r = l.stopReason(step, metrics);
          reason = reason == null ? r : reason;
        }
        return reason;
      }

      @Override
      public void onCheckpoint(long step, Duration saveTime) {
        all.forEach(l -> l.onCheckpoint(step, saveTime));
      }

      @Override
      public void onLoopEnd(LoopTimings timings) {
        all.forEach(l -> l.onLoopEnd(timings));
      }
    };
  }
}
