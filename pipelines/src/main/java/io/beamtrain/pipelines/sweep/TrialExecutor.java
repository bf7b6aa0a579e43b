package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.TrialRefusedException;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.train.TrialRunner;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.data.SharedSplits;
import io.beamtrain.trainer.train.TrainingListener;
import io.beamtrain.trainer.train.TrialDirectory;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one trial with the trainer and never throws for a trial's own failure: an exception
 * becomes a FAILED {@link TrialResult} carrying the error and the progress the trial's
 * result.json recorded (and is written there), so one bad trial cannot fail a sweep. A {@link
 * TrialRefusedException} is not the trial's failure but a refusal (its directory holds another
 * trial): it is thrown on, with nothing written. Every outcome ends the trial's HParams
 * session (see {@link SweepViews#writeSession}). The trainer resumes from the trial
 * directory's latest committed checkpoint, which makes a retried or re-run trial continue where
 * it stopped. No Beam here, so it is callable from a plain loop (the benchmark baseline).
 * Thread-safe: trials run concurrently in one JVM.
 *
 * <p>Every trial of the JVM takes its in-memory splits from {@link #WORKER_SPLITS}: one loaded,
 * canonically ordered copy per split for all of them, however many train at once. A trial pins
 * the cache from before it waits for its slot until it is done, so the data stays loaded from
 * one trial to the next and is freed when the last trial of the worker ends.
 */
public final class TrialExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(TrialExecutor.class);

  /** The worker JVM's shared splits (see {@link SharedSplits}). */
  static final SharedSplits WORKER_SPLITS = new SharedSplits();

  private final TrialSettings settings;

  public TrialExecutor(TrialSettings settings) {
    this.settings = settings;
  }

  public TrialResult execute(Trial trial) {
    return execute(trial, TrainingListener.NONE);
  }

  /**
   * Runs the trial reporting to {@code listener} (which may stop it, see {@link
   * TrainingListener#stopReason}), from the settings' warm start when it has no checkpoint of its
   * own, holding one of the JVM's {@link TrialSettings#concurrentTrials()} trial slots while it
   * trains (see {@link TrialSlots}), whichever stage calls it.
   */
  public TrialResult execute(Trial trial, TrainingListener listener) {
    try (SharedSplits.Pin pin = WORKER_SPLITS.pin()) {
      return TrialSlots.run(settings.concurrentTrials(), () -> train(trial, listener));
    }
  }

  private TrialResult train(Trial trial, TrainingListener listener) {
    long start = System.nanoTime();
    TrialSpec spec = settings.toTrialSpec(trial);
    // Start and end with the thread, at debug level: they show where a sweep's wall time goes
    // (-Dorg.slf4j.simpleLogger.log.io.beamtrain.pipelines.sweep=debug).
    LOG.debug("{}: starting on {} ({} at once in this JVM) with {} (seed {})", trial.id(),
        Thread.currentThread().getName(), settings.concurrentTrials(), trial.params(), trial.seed());
    try {
      TrialResult result = TrialRunner.run(spec, listener, WORKER_SPLITS);
      LOG.debug("{}: {} after {} steps in {} ms, {}", trial.id(), result.status(), result.steps(),
          (System.nanoTime() - start) / 1_000_000, result.metrics());
      SweepViews.writeSession(spec.trialDir(), result, settings.storage());
      return result;
    } catch (TrialRefusedException e) {
      // Not this trial's outcome: the directory holds another trial (or the metric does not
      // apply). Writing FAILED here would overwrite that trial's result; fail the run instead.
      throw e;
    } catch (BadInputException | IllegalArgumentException e) {
      return failed(trial, e.getMessage(), start);
    } catch (RuntimeException e) {
      return failed(trial, describe(e), start);
    }
  }

  private TrialResult failed(Trial trial, String error, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    LOG.warn("{} failed: {}", trial.id(), error);
    TrialResult result = TrialResult.failed(trial.id(), trial.params(), trial.seed(), error, seconds);
    TrialDirectory directory = new TrialDirectory(settings.layout().trialDir(trial.id()), settings.storage());
    try {
      // Keeps the steps and history earlier attempts recorded: their checkpoints are still there.
      result = directory.writeFailure(result);
    } catch (RuntimeException e) {
      // The result still reaches results.jsonl through the pipeline; the file is a convenience.
      LOG.warn("{}: could not write {}: {}", trial.id(), directory.resultPath(), e.getMessage());
    }
    SweepViews.writeSession(settings.layout().trialDir(trial.id()), result, settings.storage());
    return result;
  }

  /** The exception type and message, plus the root cause's when it adds something. */
  static String describe(Throwable e) {
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootText = Optional.ofNullable(root.getMessage()).orElse(root.getClass().getSimpleName());
    return root == e || text.contains(rootText) ? text : text + " (caused by " + rootText + ")";
  }
}
