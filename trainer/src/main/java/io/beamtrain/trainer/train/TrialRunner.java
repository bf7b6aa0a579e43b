package io.beamtrain.trainer.train;

import io.beamtrain.trainer.BadInputException;
import io.beamtrain.checkpointing.CheckpointManagerOptions;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.ModelMetrics;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.NativeTensorFlow;
import io.beamtrain.trainer.TrialRefusedException;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.data.BatchSource;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.Seeds;
import io.beamtrain.trainer.data.SharedSplits;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.export.ModelCost;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.model.ModelSpec;
import java.util.LinkedHashMap;
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
 * global step is {@code s + 1}. At every multiple of {@code evalEverySteps} (default: once per
 * epoch), every checkpoint step and the last step it evaluates on the eval split; at every
 * multiple of {@code checkpointEverySteps} (default: with evaluations), the last step and every
 * evaluation that is the trial's best so far it saves a checkpoint carrying that evaluation's
 * metrics (for keep-best retention, which keeps the one {@code best_step} names; written in the
 * background unless {@code asyncCheckpoints} is off) and rewrites {@code result.json} with status RUNNING and flushes the event file (on a
 * background thread, so uploads to an object store do not stall training). The train loss is
 * fetched every {@value TrainingLoop#LOG_EVERY_STEPS} steps (and at evaluations) only: fetching
 * costs a tensor per step.
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
 * the same thread settings. A checkpoint that does not restore (missing or damaged files) is
 * skipped with a warning for the next older one; if none does, the trial starts from step 0. A
 * directory whose result.json is final is returned as is, its best step checked against the
 * committed checkpoints ({@link BestCheckpoint#reconcile}) (unless a
 * COMPLETED trial is asked for more steps: then it trains on). {@code warmStartFrom} initialises a
 * fresh trial's weights from another checkpoint instead.
 *
 * <p>Thread-safety: each call is independent; run trials concurrently from several threads with
 * {@code concurrentTrials} set accordingly.
 */
public final class TrialRunner {
  private static final Logger LOG = LoggerFactory.getLogger(TrialRunner.class);

  private TrialRunner() {}

  /** Runs (or resumes) the trial; see the class Javadoc. */
  public static TrialResult run(TrialSpec spec) {
    return run(spec, TrainingListener.NONE);
  }

  /** Runs (or resumes) the trial, reporting progress to {@code listener}. */
  public static TrialResult run(TrialSpec spec, TrainingListener listener) {
    return run(spec, listener, new SharedSplits());
  }

  /**
   * Runs (or resumes) the trial, taking the splits that fit in memory from {@code shared}: trials
   * of one JVM that pass the same cache share one loaded, canonically ordered copy of each split
   * (see {@link SharedSplits}), with the same results as loading their own.
   */
  public static TrialResult run(TrialSpec spec, TrainingListener listener, SharedSplits shared) {
    NativeTensorFlow.requireSingleCopy();
    long started = System.nanoTime();
    HyperParameters params = parse(spec.trialId(), spec.params());
    ExampleDataset dataset = ExampleDataset.open(spec.dataDir(), spec.storageConfig());
    ModelSpec model = modelSpec(params, dataset.spec());
    checkMetric(spec.metric(), dataset.spec());
    TrialDirectory directory = new TrialDirectory(spec.trialDir(), spec.storageConfig());
    directory.checkSameTrial(spec);
    Optional<TrialResult> previous = directory.readResult();
    if (previous.isPresent() && isDone(previous.get(), spec)) {
      LOG.info("trial {} already {} at step {}", spec.trialId(), previous.get().status(), previous.get().steps());
      return withModelCost(
          BestCheckpoint.reconcile(previous.get(), spec.trialDir(), spec.metric(), spec.storageConfig()),
          previous.get(), spec, directory);
    }
    if (previous.isPresent() && !previous.get().lineage().isEmpty()) {
      // Population-based training replaced this trial's checkpoint and hyperparameters (its
      // lineage): the graph is built anew for every run, so the values it bakes in (dropout, L2,
      // momentum) and the fed learning-rate schedule are the trial's current ones.
      params = parse(spec.trialId(), previous.get().currentParams());
      model = modelSpec(params, dataset.spec());
    }
    if (spec.warmStartFrom() != null) {
      WarmStart.checkExists(spec.warmStartFrom(), spec.storageConfig());
    }
    long dataSeed = Seeds.mix(spec.seed(), Seeds.DATA_STREAM);
    TrialResult result;
    try (BatchSource batches =
            dataset.trainBatches(params.batchSize(), dataSeed, spec.maxInMemoryBytes(), shared);
        Evaluator evaluator = evaluator(dataset, model, spec.maxInMemoryBytes(), shared);
        TrainingSession session =
            TrainingSession.open(
                model,
                Seeds.mix(spec.seed(), Seeds.INIT_STREAM),
                params.schedule(spec.trainSteps()),
                TrainingSession.sessionConfig(
                    spec.effectiveIntraOpThreads(), spec.effectiveInterOpThreads(), spec.deterministic()),
                spec.effectiveStepsPerExecution());
        TrainingLoop loop =
            new TrainingLoop(
                spec, params, directory, session, batches, Split.TRAIN.examples(dataset.spec()),
                evaluator, listener)) {
      loop.start(previous.orElse(null));
      result = loop.run(started, previous.map(TrialResult::elapsedSeconds).orElse(0.0));
    }
    // After the loop closed: every checkpoint, the best one included, is committed.
    return withModelCost(result, previous.orElse(null), spec, directory);
  }

  /**
   * {@code result} with the {@link ModelMetrics} of its best checkpoint in its metrics (and in
   * result.json): those {@code recorded} already holds (the network is the same at every step and
   * rung), else measured ({@link ModelCost}). Only a trial that finished training with a best
   * checkpoint has them; a DIVERGED or FAILED one is returned as is, and every result unless
   * {@link TrialSpec#modelCost()}.
   */
  static TrialResult withModelCost(
      TrialResult result, TrialResult recorded, TrialSpec spec, TrialDirectory directory) {
    boolean finished = result.status() == TrialStatus.COMPLETED || result.status() == TrialStatus.STOPPED;
    if (!spec.modelCost() || !finished || result.bestStep() == null || result.metrics().keySet().containsAll(ModelMetrics.NAMES)) {
      return result;
    }
    Map<String, Double> cost = new LinkedHashMap<>();
    if (recorded != null) {
      recorded.metrics().forEach((name, value) -> {
        if (ModelMetrics.NAMES.contains(name) && Double.isFinite(value)) {
          cost.put(name, value);
        }
      });
    }
    if (!cost.keySet().containsAll(ModelMetrics.NAMES)) {
      cost.putAll(ModelCost.measure(
          spec.dataDir(), spec.params(), StoragePaths.join(spec.trialDir(),
              CheckpointManagerOptions.DEFAULT_BASENAME + "-" + result.bestStep()),
          spec.storageConfig(),
          TrainingSession.sessionConfig(spec.effectiveIntraOpThreads(), spec.effectiveInterOpThreads())));
    }
    Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
    metrics.putAll(cost);
    TrialResult measured = new TrialResult(result.trial(), result.status(), result.steps(), result.bestStep(),
        metrics, result.history(), result.params(), result.seed(), result.error(), result.reason(),
        result.elapsedSeconds());
    directory.writeResult(measured);
    return measured;
  }

  private static HyperParameters parse(String trialId, Map<String, ?> values) {
    try {
      return HyperParameters.parse(values);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("trial " + trialId + ": " + e.getMessage(), e);
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
      throw new TrialRefusedException(
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

  private static Evaluator evaluator(
      ExampleDataset dataset, ModelSpec model, long maxInMemoryBytes, SharedSplits shared) {
    if (dataset.fitsInMemory(Split.EVAL, maxInMemoryBytes)) {
      // Canonical order: the metrics' float sums then do not depend on the shard layout.
      SharedSplits.Lease lease = shared.acquire(dataset, Split.EVAL);
      return Evaluator.inMemory(lease, model.head());
    }
    return Evaluator.streaming(dataset, model.head());
  }
}
