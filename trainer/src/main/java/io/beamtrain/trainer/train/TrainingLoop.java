package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.BatchSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a trial: restores or initialises the model, then runs the steps with their
 * evaluations and checkpoints, and records the outcome (see {@code TrialRunner} for the contract).
 * Owns the trial's checkpoints, event file and background writer; close it. Not thread-safe.
 */
public final class TrainingLoop implements AutoCloseable {
  /** Train-loss fetch (and TensorBoard) cadence between evaluations. */
  public static final long LOG_EVERY_STEPS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private final TrialSpec spec;
  private final HyperParameters params;
  private final TrialDirectory directory;
  private final TrainingSession session;
  private final BatchSource batches;
  private final Evaluator evaluator;
  private final TrainingListener listener;
  private final TrialCheckpoints checkpoints;
  private final TrialEvents events;
  private final BackgroundWriter writer;
  private final EarlyStopping earlyStopping;
  private final BestCheckpoint bestCheckpoint;
  private final List<Evaluation> history = new ArrayList<>();
  /** Population-based training's record of exploits, carried over from the result.json resumed. */
  private List<TrialResult.Exploit> lineage = List.of();
  private final long evalEvery;
  private final long checkpointEvery;
  private long step;
  private boolean committed;
  private String stopReason;
  private long evalNanos;
  private long checkpointNanos;

  public TrainingLoop(
      TrialSpec spec,
      HyperParameters params,
      TrialDirectory directory,
      TrainingSession session,
      BatchSource batches,
      long trainExamples,
      Evaluator evaluator,
      TrainingListener listener) {
    this.spec = spec;
    this.params = params;
    this.directory = directory;
    this.session = session;
    this.batches = batches;
    this.evaluator = evaluator;
    this.listener = listener;
    this.checkpoints = new TrialCheckpoints(spec, session);
    this.events = new TrialEvents(spec.trialDir(), spec.storageConfig());
    this.writer = new BackgroundWriter("trial-files-" + spec.trialId());
    this.earlyStopping =
        new EarlyStopping(spec.metric().name(), spec.metric().goal(), spec.earlyStoppingPatience());
    this.bestCheckpoint = new BestCheckpoint(spec.metric());
    this.evalEvery = spec.evalEverySteps(trainExamples, params.batchSize());
    this.checkpointEvery = spec.checkpointEverySteps(trainExamples, params.batchSize());
  }

  /**
   * Restores the newest checkpoint and the history up to its step (from {@code previous}, the
   * result.json of an earlier attempt, or null), else warm starts, else initialises the weights.
   */
  public void start(TrialResult previous) {
    Optional<Checkpoint> restored = checkpoints.restoreNewest();
    if (restored.isPresent()) {
      step = restored.get().step();
      if (previous != null) {
        lineage = previous.lineage();
        previous.history().stream().filter(e -> e.step() <= step).forEach(history::add);
      }
      boolean recorded = !history.isEmpty() && history.get(history.size() - 1).step() == step;
      if (!recorded && !restored.get().metrics().isEmpty()) {
        // Committed, but the attempt died before result.json recorded this evaluation.
        history.add(new Evaluation(step, restored.get().metrics()));
      }
      for (Evaluation e : history) {
        // Replaying the history restores early stopping's state, and its verdict if the last
        // attempt died between stopping and writing the result.
        boolean stop = earlyStopping.observe(e.step(), e.metric(spec.metric().name()));
        stopReason = stop ? earlyStopping.reason(e.step()) : null;
      }
      // The best so far is the one keep-best retention kept; later ones died with the attempt
      // (a newer checkpoint than the restored one is re-saved as training passes its step).
      for (Checkpoint c : checkpoints.committed()) {
        if (c.step() <= step) {
          bestCheckpoint.checkpointed(BestCheckpoint.of(c, history));
        }
      }
      committed = true;
      LOG.info("{}: resumed from {} at step {}", spec.trialId(), restored.get().prefix(), step);
    } else if (spec.warmStartFrom() != null) {
      WarmStart.restore(
          session, session.model().trainableVariables(), spec.warmStartFrom(), spec.storageConfig());
      LOG.info("{}: warm started from {}", spec.trialId(), spec.warmStartFrom());
    } else {
      session.initialize();
    }
  }

  /**
   * Trains up to {@code trainSteps}, then writes result.json and returns it.
   *
   * @param startedNanos when this attempt started ({@code System.nanoTime()})
   * @param earlierSeconds training time of earlier attempts
   */
  public TrialResult run(long startedNanos, double earlierSeconds) {
    long trainSteps = spec.trainSteps();
    long logEvery = Math.min(LOG_EVERY_STEPS, evalEvery);
    Batch batch = batches.newBatch();
    TrialStatus status = stopReason != null ? TrialStatus.STOPPED : TrialStatus.COMPLETED;
    String reason = stopReason;
    long firstStep = step;
    listener.onStart(step);
    long loopStart = System.nanoTime();
    events.startInterval(step);
    int perRun = session.stepsPerRun();
    while (status == TrialStatus.COMPLETED && step < trainSteps) {
      long update = step;
      // A block never steps over a step where the loop must look (loss, evaluation, checkpoint,
      // the end): those steps end a block or run alone, so everything downstream sees the same
      // steps as with one step per run.
      int steps = perRun > 1 && nextStop(step, logEvery, trainSteps) - step >= perRun ? perRun : 1;
      step += steps;
      boolean checkpointNow = step % checkpointEvery == 0 || step == trainSteps;
      boolean evaluateNow = checkpointNow || step % evalEvery == 0;
      boolean fetchLoss = evaluateNow || step % logEvery == 0;
      float loss;
      if (steps == 1) {
        batches.fill(update, batch);
        loss = session.step(update, batch, fetchLoss);
      } else {
        for (int j = 0; j < steps; j++) {
          batches.fill(update + j, batch);
          session.stage(j, batch);
        }
        // Always fetched: one (feeds, fetches) signature for the block, not two -- TensorFlow
        // builds an executor per signature on its first run, which for a block of k steps costs
        // about k times a step's, while fetching a scalar costs next to nothing.
        loss = session.runBlock(update, true);
      }
      long lossUpdate = step - 1;
      if (fetchLoss) {
        if (!Float.isFinite(loss)) {
          status = TrialStatus.DIVERGED;
          reason = "train loss is " + loss + " at step " + step;
          break;
        }
        events.train(step, loss, session.learningRateAt(lossUpdate), session.batchSize());
      }
      if (!evaluateNow) {
        continue;
      }
      long evalStart = System.nanoTime();
      Map<String, Double> metrics = evaluator.evaluate(session.session(), session.model());
      evalNanos += System.nanoTime() - evalStart;
      double evalLoss = metrics.getOrDefault(MetricSpec.EVAL_LOSS, Double.NaN);
      if (!Double.isFinite(evalLoss)) {
        status = TrialStatus.DIVERGED;
        reason = "eval loss is " + evalLoss + " at step " + step;
        break;
      }
      Evaluation evaluation = new Evaluation(step, metrics);
      history.add(evaluation);
      events.eval(step, metrics);
      listener.onEvaluation(step, metrics);
      double value = evaluation.metric(spec.metric().name());
      // A new best is checkpointed whatever the cadence (Keras' save_best_only): best_step must
      // name a checkpoint, or the export would have to take a worse neighbour.
      if (bestCheckpoint.improvesOn(value)) {
        checkpointNow = true;
      }
      if (earlyStopping.observe(step, value)) {
        status = TrialStatus.STOPPED;
        reason = earlyStopping.reason(step);
        checkpointNow = true;
      } else if ((reason = listener.stopReason(step, metrics)) != null) {
        status = TrialStatus.STOPPED;
        checkpointNow = true;
      }
      if (checkpointNow) {
        checkpoint(evaluation, elapsed(startedNanos, earlierSeconds));
      }
    }
    checkpoints.flush();
    deliverCommits();
    writer.drain();
    LoopTimings timings =
        new LoopTimings(
            step - firstStep,
            (step - firstStep) * session.batchSize(),
            (System.nanoTime() - loopStart) / 1e9,
            evalNanos / 1e9,
            checkpointNanos / 1e9);
    LOG.info(String.format(Locale.ROOT,
        "%s: %d steps in %.2f s (%,d examples/s); of which evaluation %.2f s (every %d steps),"
            + " checkpoints %.2f s (every %d)",
        spec.trialId(), timings.steps(), timings.loopSeconds(), Math.round(timings.examplesPerSecond()),
        timings.evalSeconds(), evalEvery, timings.checkpointSeconds(), checkpointEvery));
    listener.onLoopEnd(timings);
    if (status == TrialStatus.DIVERGED) {
      LOG.warn("{} diverged: {}", spec.trialId(), reason);
    }
    TrialResult result = result(status, reason, elapsed(startedNanos, earlierSeconds));
    directory.writeParams(spec, params);
    directory.writeResult(result);
    events.flush();
    return result;
  }

  /**
   * The first step after {@code step} at which the loop fetches the loss, evaluates or
   * checkpoints, or {@code trainSteps}.
   */
  private long nextStop(long step, long logEvery, long trainSteps) {
    long next = trainSteps;
    for (long every : new long[] {logEvery, evalEvery, checkpointEvery}) {
      next = Math.min(next, (step / every + 1) * every);
    }
    return next;
  }

  private void checkpoint(Evaluation evaluation, double elapsedSeconds) {
    long started = System.nanoTime();
    if (!committed) {
      directory.writeParams(spec, params);
    }
    long saveStarted = System.nanoTime();
    checkpoints.save(step, evaluation.metrics());
    Duration saveTime = Duration.ofNanos(System.nanoTime() - saveStarted);
    committed = true;
    bestCheckpoint.checkpointed(evaluation);
    if (step < spec.trainSteps()) {
      TrialResult running = result(TrialStatus.RUNNING, null, elapsedSeconds);
      writer.submit(
          () -> {
            directory.writeResult(running);
            events.flush();
          });
    }
    checkpointNanos += System.nanoTime() - started;
    listener.onCheckpoint(step, saveTime);
    deliverCommits();
  }

  /**
   * Tells the listener of checkpoints committed since the last call, on this (the training)
   * thread: async commits are reported by the checkpoint thread, where a listener's Beam metrics
   * would have no container.
   */
  private void deliverCommits() {
    checkpoints.drainCommitted((sinceSave, committedStep) -> listener.onCheckpointCommitted(committedStep, sinceSave));
  }

  /** The result so far; its best step is the best checkpoint, which retention keeps. */
  private TrialResult result(TrialStatus status, String reason, double elapsedSeconds) {
    Evaluation best = bestCheckpoint.best().orElse(null);
    return new TrialResult(
        spec.trialId(),
        status,
        step,
        best == null ? null : best.step(),
        best == null ? Map.of() : best.metrics(),
        history,
        spec.params(),
        spec.seed(),
        null,
        reason,
        elapsedSeconds,
        lineage);
  }

  private static double elapsed(long startedNanos, double earlierSeconds) {
    return earlierSeconds + (System.nanoTime() - startedNanos) / 1e9;
  }

  /** Drains pending writes, then closes the event file and the checkpoint manager. */
  @Override
  public void close() {
    try (checkpoints;
        events;
        writer) {
      // closes writer (draining), then events, then checkpoints (waiting for saves)
    }
  }
}
