package io.beamtrain.pipelines.sweep;

import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import java.io.Serializable;
import java.time.Duration;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Beam metrics of the training inside trials, in namespace {@value RunTrials#METRICS_NAMESPACE}
 * beside the trial counters, so Dataflow's UI and the end-of-run {@code metrics:} line show them:
 *
 * <ul>
 *   <li>{@value #CHECKPOINT_SAVE_MICROS}: one value per checkpoint saved, the microseconds training
 *       waited for it (with the default asynchronous checkpoints the copy of the variables, the
 *       upload running in the background; see {@link TrainingListener#onCheckpoint}). Microseconds
 *       because an asynchronous save of a small model takes well under a millisecond.
 *   <li>{@value #EXAMPLES_PER_SECOND}: one value per attempt that trained at least one step, its
 *       training examples per second of loop time (evaluations and checkpoints included, as {@link
 *       LoopTimings#examplesPerSecond()}).
 * </ul>
 *
 * <p>Beam metrics go to the container of the calling thread; the trainer calls listeners on the
 * thread that runs the trial, which is the DoFn's. Serializable, a field of the trial DoFns.
 */
public final class TrialMetrics implements TrainingListener, Serializable {
  public static final String CHECKPOINT_SAVE_MICROS = "checkpoint_save_micros";
  public static final String EXAMPLES_PER_SECOND = "examples_per_second";

  private final Distribution saveMicros =
      Metrics.distribution(RunTrials.METRICS_NAMESPACE, CHECKPOINT_SAVE_MICROS);
  private final Distribution examplesPerSecond =
      Metrics.distribution(RunTrials.METRICS_NAMESPACE, EXAMPLES_PER_SECOND);

  @Override
  public void onCheckpoint(long step, Duration saveTime) {
    saveMicros.update(saveTime.toNanos() / 1000);
  }

  @Override
  public void onLoopEnd(LoopTimings timings) {
    if (timings.steps() > 0) {
      examplesPerSecond.update(Math.round(timings.examplesPerSecond()));
    }
  }
}
