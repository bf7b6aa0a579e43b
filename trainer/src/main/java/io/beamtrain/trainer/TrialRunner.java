package io.beamtrain.trainer;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointException;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.CheckpointManagerOptions;
import io.beamtrain.checkpointing.CheckpointState;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.BatchSource;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.Seeds;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.events.EventFileWriter;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.train.BackgroundWriter;
import io.beamtrain.trainer.train.EarlyStopping;
import io.beamtrain.trainer.train.Evaluator;
import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import io.beamtrain.trainer.train.TrainingSession;
import io.beamtrain.trainer.train.TrialDirectory;
import io.beamtrain.trainer.train.WarmStart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one trial: trains the model of a {@link TrialSpec} on its data directory, evaluating,
 * checkpointing and logging as it goes, and returns (and writes) its {@link TrialResult}. No Beam:
 * callable from a plain {@code main}, a test, or a sweep's DoFn.
 *
 * <p><b>Steps.</b> Update {@code s} (0-based) trains on batch {@code s} of the data's (seed, step)
 * order with the learning rate of step {@code s} and dropout masks from (seed, s); afterwards the
 * global step is {@code s + 1}. At every multiple of {@code evalEverySteps}, every checkpoint step
 * and the last step it evaluates on the eval split; at every multiple of {@code
 * checkpointEverySteps} and the last step it saves a checkpoint carrying that evaluation's
 * metrics (for keep-best retention; written in the background unless {@code asyncCheckpoints} is
 * off) and rewrites {@code result.json} with status RUNNING and flushes the event file (on a
 * background thread, so uploads to an object store do not stall training). The train loss is fetched every {@value #LOG_EVERY_STEPS} steps (and at evaluations)
 * only: fetching costs a tensor per step.
 *
 * <p><b>Outcomes.</b> COMPLETED after {@code trainSteps}; DIVERGED when the train or eval loss is
 * NaN or infinite (the diverged weights are not checkpointed; {@code reason} says where); STOPPED
 * by early stopping (checkpointed; {@code reason} says why). Bad hyperparameters or data throw
 * {@link BadInputException} naming the parameter, file or feature -- checked before anything is
 * written to the trial directory, which stays untouched until the first checkpoint commits.
 *
 * <p><b>Resume.</b> If the trial directory holds a committed checkpoint, the trial restores the
 * newest one and continues from its step, keeping the history of result.json up to that step, so
 * an interrupted trial ends with the same weights, metrics and history as an uninterrupted one on
 * the same thread settings. A directory whose result.json is final is returned as is (unless a
 * COMPLETED trial is asked for more steps: then it trains on). {@code warmStartFrom} initialises a
 * fresh trial's weights from another checkpoint instead.
 *
 * <p>Thread-safety: each call is independent; run trials concurrently from several threads with
 * {@code concurrentTrials} set accordingly.
 */
public final class TrialRunner {
  /** Train-loss fetch (and TensorBoard) cadence between evaluations. */
  public static final long LOG_EVERY_STEPS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(TrialRunner.class);
  /** Seed stream of the training data order (see {@link Seeds#mix}). */
  private static final long DATA_STREAM = 11;
  /** Seed stream of the initial weights. */
  private static final long INIT_STREAM = 12;

  private TrialRunner() {}

  /** Runs (or resumes) the trial; see the class Javadoc. */
  public static TrialResult run(TrialSpec spec) {
    return run(spec, TrainingListener.NONE);
  }

  /** Runs (or resumes) the trial, reporting progress to {@code listener}. */
  public static TrialResult run(TrialSpec spec, TrainingListener listener) {
    long started = System.nanoTime();
    HyperParameters params = parse(spec);
    ExampleDataset dataset = ExampleDataset.open(spec.dataDir(), spec.storageConfig());
    ModelSpec model = modelSpec(params, dataset.spec());
    checkMetric(spec.metric(), dataset.spec());
    TrialDirectory directory = new TrialDirectory(spec.trialDir(), spec.storageConfig());
    directory.checkSameTrial(spec);
    Optional<TrialResult> previous = directory.readResult();
    if (previous.isPresent() && isDone(previous.get(), spec)) {
      LOG.info("trial {} already {} at step {}", spec.trialId(), previous.get().status(), previous.get().steps());
      return previous.get();
    }
    if (spec.warmStartFrom() != null) {
      WarmStart.checkExists(spec.warmStartFrom(), spec.storageConfig());
    }
    int numClasses = dataset.isClassification() ? dataset.spec().label().numClasses() : 0;
    long dataSeed = Seeds.mix(spec.seed(), DATA_STREAM);
    try (BatchSource batches =
            dataset.trainBatches(params.batchSize(), dataSeed, spec.maxInMemoryBytes());
        Evaluator evaluator = evaluator(dataset, numClasses, spec.maxInMemoryBytes());
        TrainingSession session =
            TrainingSession.open(
                model,
                Seeds.mix(spec.seed(), INIT_STREAM),
                params.schedule(spec.trainSteps()),
                TrainingSession.threadConfig(
                    spec.effectiveIntraOpThreads(), spec.effectiveInterOpThreads()));
        TrialCheckpoints checkpoints = new TrialCheckpoints(spec, session);
        TrialLog log = new TrialLog(spec);
        BackgroundWriter writer = new BackgroundWriter("trial-files-" + spec.trialId())) {
      Attempt attempt =
          new Attempt(
              spec, params, directory, session, batches, evaluator, checkpoints, log, writer, listener);
      attempt.start(previous.orElse(null));
      return attempt.train(started, previous.map(TrialResult::elapsedSeconds).orElse(0.0));
    }
  }

  private static HyperParameters parse(TrialSpec spec) {
    try {
      return HyperParameters.parse(spec.params());
    } catch (IllegalArgumentException e) {
      throw new BadInputException("trial " + spec.trialId() + ": " + e.getMessage(), e);
    }
  }

  private static ModelSpec modelSpec(HyperParameters params, TransformSpec transform) {
    try {
      return ModelSpec.of(params, transform);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  /** Fails when the data's task does not compute the trial's metric. */
  static void checkMetric(MetricSpec metric, TransformSpec transform) {
    TransformSpec.Task task = transform.label().task();
    String name = metric.name();
    boolean defined =
        switch (name) {
          case MetricSpec.EVAL_LOSS -> true;
          case MetricSpec.EVAL_ACCURACY -> task.isClassification();
          case MetricSpec.EVAL_AUC -> task.isClassification() && transform.label().numClasses() == 2;
          default -> task == TransformSpec.Task.REGRESSION;
        };
    if (!defined) {
      throw new BadInputException(
          "metric '"
              + name
              + "' is not computed for label '"
              + transform.label().name()
              + "' ("
              + task
              + (task.isClassification() ? ", " + transform.label().numClasses() + " classes" : "")
              + "); "
              + (task.isClassification()
                  ? "use eval_loss or eval_accuracy" + (transform.label().numClasses() == 2 ? " or eval_auc" : "")
                  : "use eval_loss, eval_rmse or eval_mae"));
    }
  }

  private static boolean isDone(TrialResult previous, TrialSpec spec) {
    return switch (previous.status()) {
      case DIVERGED, STOPPED -> true;
      case COMPLETED -> previous.steps() >= spec.trainSteps();
      case FAILED, RUNNING -> false;
    };
  }

  private static Evaluator evaluator(ExampleDataset dataset, int numClasses, long maxInMemoryBytes) {
    if (dataset.fitsInMemory(Split.EVAL, maxInMemoryBytes)) {
      return Evaluator.inMemory(dataset.load(Split.EVAL), numClasses);
    }
    return Evaluator.streaming(dataset, numClasses);
  }

  /** One attempt at the trial: the loop and its bookkeeping. */
  private static final class Attempt {
    private final TrialSpec spec;
    private final HyperParameters params;
    private final TrialDirectory directory;
    private final TrainingSession session;
    private final BatchSource batches;
    private final Evaluator evaluator;
    private final TrialCheckpoints checkpoints;
    private final TrialLog log;
    private final BackgroundWriter writer;
    private final TrainingListener listener;
    private final EarlyStopping earlyStopping;
    private final List<Evaluation> history = new ArrayList<>();
    private long step;
    private boolean committedAnything;
    private long evalNanos;
    private long checkpointNanos;

    Attempt(
        TrialSpec spec,
        HyperParameters params,
        TrialDirectory directory,
        TrainingSession session,
        BatchSource batches,
        Evaluator evaluator,
        TrialCheckpoints checkpoints,
        TrialLog log,
        BackgroundWriter writer,
        TrainingListener listener) {
      this.spec = spec;
      this.params = params;
      this.directory = directory;
      this.session = session;
      this.batches = batches;
      this.evaluator = evaluator;
      this.checkpoints = checkpoints;
      this.log = log;
      this.writer = writer;
      this.listener = listener;
      this.earlyStopping =
          new EarlyStopping(spec.metric().name(), spec.metric().goal(), spec.earlyStoppingPatience());
    }

    /** Restores the newest checkpoint (and the history up to it), or warm starts, or initialises. */
    void start(TrialResult previous) {
      Optional<Checkpoint> restored = restoreNewest();
      if (restored.isPresent()) {
        step = restored.get().step();
        if (previous != null) {
          previous.history().stream().filter(e -> e.step() <= step).forEach(history::add);
        }
        boolean evaluated = !history.isEmpty() && history.get(history.size() - 1).step() == step;
        if (!evaluated && !restored.get().metrics().isEmpty()) {
          // Committed, but the attempt died before result.json recorded this evaluation.
          history.add(new Evaluation(step, restored.get().metrics()));
        }
        history.forEach(e -> earlyStopping.observe(e.step(), e.metric(spec.metric().name())));
        committedAnything = true;
        LOG.info("trial {}: resumed from checkpoint {} at step {}", spec.trialId(), restored.get().prefix(), step);
      } else if (spec.warmStartFrom() != null) {
        WarmStart.restore(
            session, session.model().trainableVariables(), spec.warmStartFrom(), spec.storageConfig());
        LOG.info("trial {}: warm started from {}", spec.trialId(), spec.warmStartFrom());
      } else {
        session.initialize();
      }
    }

    private Optional<Checkpoint> restoreNewest() {
      if (!checkpoints.exist()) {
        return Optional.empty();
      }
      List<Checkpoint> all = checkpoints.manager().all();
      for (int i = all.size() - 1; i >= 0; i--) {
        Checkpoint candidate = all.get(i);
        try {
          checkpoints.manager().restore(session.session(), candidate.step());
          return Optional.of(candidate);
        } catch (CheckpointException e) {
          LOG.warn("trial {}: cannot restore {}: {}", spec.trialId(), candidate.prefix(), e.getMessage());
        }
      }
      return Optional.empty();
    }

    TrialResult train(long startedNanos, double earlierSeconds) {
      long trainSteps = spec.trainSteps();
      long logEvery = Math.min(LOG_EVERY_STEPS, spec.evalEverySteps());
      Batch batch = batches.newBatch();
      TrialStatus status = TrialStatus.COMPLETED;
      String reason = null;
      log.startInterval(step);
      long firstStep = step;
      long loopStart = System.nanoTime();
      while (step < trainSteps) {
        long update = step;
        step++;
        boolean checkpointNow = step % spec.checkpointEverySteps() == 0 || step == trainSteps;
        boolean evaluateNow = step % spec.evalEverySteps() == 0 || checkpointNow;
        boolean fetchLoss = step % logEvery == 0 || evaluateNow;
        batches.fill(update, batch);
        float loss = session.step(update, batch, fetchLoss);
        if (fetchLoss) {
          if (!Float.isFinite(loss)) {
            status = TrialStatus.DIVERGED;
            reason = "train loss is " + loss + " at step " + step;
            break;
          }
          log.train(step, loss, session.learningRateAt(update), session.batchSize());
        }
        if (evaluateNow) {
          long evalStart = System.nanoTime();
          Map<String, Double> metrics = evaluator.evaluate(session.session(), session.model());
          evalNanos += System.nanoTime() - evalStart;
          double evalLoss = metrics.getOrDefault(MetricSpec.EVAL_LOSS, Double.NaN);
          if (!Double.isFinite(evalLoss)) {
            status = TrialStatus.DIVERGED;
            reason = "eval loss is " + evalLoss + " at step " + step;
            break;
          }
          history.add(new Evaluation(step, metrics));
          log.eval(step, metrics);
          listener.onEvaluation(step, metrics);
          if (earlyStopping.observe(step, metrics.getOrDefault(spec.metric().name(), Double.NaN))) {
            status = TrialStatus.STOPPED;
            reason = earlyStopping.reason(step);
            checkpointNow = true;
          } else if ((reason = listener.stopReason(step, metrics)) != null) {
            status = TrialStatus.STOPPED;
            checkpointNow = true;
          }
          if (checkpointNow) {
            checkpoint(metrics, elapsed(startedNanos, earlierSeconds));
          }
        }
        if (status == TrialStatus.STOPPED) {
          break;
        }
      }
      checkpoints.flush();
      writer.drain();
      LoopTimings timings =
          new LoopTimings(
              step - firstStep,
              (step - firstStep) * session.batchSize(),
              (System.nanoTime() - loopStart) / 1e9,
              evalNanos / 1e9,
              checkpointNanos / 1e9);
      LOG.info(
          "trial {}: {} steps, {} examples/s (evaluation {} s, checkpoints {} s of {} s)",
          spec.trialId(), timings.steps(), Math.round(timings.examplesPerSecond()),
          timings.evalSeconds(), timings.checkpointSeconds(), timings.loopSeconds());
      listener.onLoopEnd(timings);
      if (status == TrialStatus.DIVERGED) {
        LOG.warn("trial {} diverged: {}", spec.trialId(), reason);
      }
      TrialResult result = result(status, reason, elapsed(startedNanos, earlierSeconds));
      directory.writeParams(spec, params);
      directory.writeResult(result);
      log.close(directory);
      return result;
    }

    private void checkpoint(Map<String, Double> metrics, double elapsedSeconds) {
      long started = System.nanoTime();
      if (!committedAnything) {
        directory.writeParams(spec, params);
      }
      checkpoints.manager().save(session.session(), step, metrics);
      committedAnything = true;
      if (step < spec.trainSteps()) {
        TrialResult running = result(TrialStatus.RUNNING, null, elapsedSeconds);
        writer.submit(
            () -> {
              directory.writeResult(running);
              log.flush(directory);
            });
      }
      checkpointNanos += System.nanoTime() - started;
      listener.onCheckpoint(step);
    }

    private TrialResult result(TrialStatus status, String reason, double elapsedSeconds) {
      Evaluation best = null;
      for (Evaluation e : history) {
        if (best == null
            || spec.metric().goal().isBetter(e.metric(spec.metric().name()), best.metric(spec.metric().name()))) {
          best = e;
        }
      }
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
          elapsedSeconds);
    }

    private static double elapsed(long startedNanos, double earlierSeconds) {
      return earlierSeconds + (System.nanoTime() - startedNanos) / 1e9;
    }
  }

  /**
   * The trial's {@link CheckpointManager}, opened when the directory already holds a checkpoint
   * (to resume) or at the first save: opening for writing touches the directory (lock file, orphan
   * collection), and a trial that fails before its first checkpoint must leave none of that.
   */
  private static final class TrialCheckpoints implements AutoCloseable {
    private final TrialSpec spec;
    private final TrainingSession session;
    private final boolean exist;
    private CheckpointManager manager;

    TrialCheckpoints(TrialSpec spec, TrainingSession session) {
      this.spec = spec;
      this.session = session;
      // Look for the state file first: a versioned read of a local path creates a lock file.
      String state = StoragePaths.join(spec.trialDir(), CheckpointState.FILE_NAME);
      this.exist =
          Storages.forPath(state, spec.storageConfig()).exists(state)
              && CheckpointManager.latestCheckpoint(spec.trialDir(), spec.storageConfig()).isPresent();
    }

    /** Whether the directory held a committed checkpoint when the trial started. */
    boolean exist() {
      return exist;
    }

    CheckpointManager manager() {
      if (manager == null) {
        manager =
            CheckpointManager.open(
                spec.trialDir(),
                session.saver(),
                session.graph(),
                CheckpointManagerOptions.builder()
                    .maxToKeep(spec.maxCheckpointsToKeep())
                    .keepBest(1, spec.metric().name(), spec.metric().goal())
                    .async(spec.asyncCheckpoints())
                    .build(),
                spec.storageConfig());
      }
      return manager;
    }

    /** Waits for background saves, so every checkpoint the result mentions is committed. */
    void flush() {
      if (manager != null) {
        manager.flush();
      }
    }

    @Override
    public void close() {
      if (manager != null) {
        manager.close();
      }
    }
  }

  /**
   * The trial's TensorBoard scalars: {@code loss}, {@code learning_rate}, {@code examples_per_sec}
   * and the eval metrics. Held in memory until the trial directory is first committed to (so a
   * trial failing on bad input leaves no event file), then written through {@link
   * EventFileWriter}.
   */
  private static final class TrialLog implements AutoCloseable {
    private record Scalars(long step, Map<String, Double> values) {}

    private final TrialSpec spec;
    private final List<Scalars> pending = new ArrayList<>();
    private EventFileWriter writer;
    private long intervalStep;
    private long intervalStart;

    TrialLog(TrialSpec spec) {
      this.spec = spec;
    }

    synchronized void startInterval(long step) {
      intervalStep = step;
      intervalStart = System.nanoTime();
    }

    synchronized void train(long step, float loss, double learningRate, int batchSize) {
      long now = System.nanoTime();
      Map<String, Double> values = new LinkedHashMap<>();
      values.put("loss", (double) loss);
      values.put("learning_rate", learningRate);
      if (step > intervalStep && now > intervalStart) {
        values.put("examples_per_sec", (step - intervalStep) * (double) batchSize * 1e9 / (now - intervalStart));
      }
      add(step, values);
      intervalStep = step;
      intervalStart = now;
    }

    synchronized void eval(long step, Map<String, Double> metrics) {
      add(step, metrics);
    }

    private void add(long step, Map<String, Double> values) {
      if (writer != null) {
        writer.addScalars(step, values);
      } else {
        pending.add(new Scalars(step, values));
      }
    }

    synchronized void flush(TrialDirectory directory) {
      if (writer == null) {
        writer = EventFileWriter.open(directory.path(), spec.storageConfig());
        for (Scalars scalars : pending) {
          writer.addScalars(scalars.step(), scalars.values());
        }
        pending.clear();
      }
      writer.flush();
    }

    synchronized void close(TrialDirectory directory) {
      flush(directory);
      writer.close();
      writer = null;
    }

    @Override
    public synchronized void close() {
      if (writer != null) {
        writer.close();
      }
    }
  }
}
