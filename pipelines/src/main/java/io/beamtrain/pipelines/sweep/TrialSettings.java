package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.spark.SparkExecutorCores;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialSpec;
import java.io.Serializable;
import java.util.Objects;

/**
 * What every trial of a sweep shares: where to read data and write trials, the study's training
 * budget and metric, how many trials share a worker, and how to reach storage. Serializable: the
 * {@link RunTrials} DoFn carries it to the workers.
 *
 * @param layout the sweep's output directory
 * @param dataDir the preprocessed data (usually {@code layout.data()})
 * @param metric the study metric; the trainer tracks its best step and checkpoint
 * @param trainSteps steps per trial
 * @param evalEverySteps evaluation interval
 * @param checkpointEverySteps checkpoint interval
 * @param earlyStoppingPatience 0 = off
 * @param trialsPerWorker trials one worker JVM runs at once; 0 = the worker's cores, at most
 *     {@code trialCount} (one TF thread per trial, as on Dataflow, where a batch worker runs one
 *     DoFn thread per vCPU)
 * @param trialCount the number of trials in the sweep
 * @param storage how to reach gs:// (test endpoint, credentials)
 * @param deterministic every trial on one TensorFlow intra-op and one inter-op thread, so results
 *     are bit-identical whatever the runner, the machine and the trials per worker (see {@code
 *     TrialSpec#deterministic()}); false (the default) sizes threads from the cores
 * @param warmStart which checkpoint a trial without one of its own starts from ({@link
 *     WarmStart#none()} in a sweep, the champion's in retrain)
 * @param objectives the study's metrics, constraints and selection rule, for ranking and
 *     promoting trials ({@code metric} is the one the trainer keeps checkpoints by)
 */
public record TrialSettings(
    OutputLayout layout,
    String dataDir,
    MetricSpec metric,
    int trainSteps,
    int evalEverySteps,
    int checkpointEverySteps,
    int earlyStoppingPatience,
    int trialsPerWorker,
    int trialCount,
    StorageConfig storage,
    boolean deterministic,
    WarmStart warmStart,
    StudyObjectives objectives)
    implements Serializable {

  public TrialSettings {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(warmStart, "warmStart");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(storage, "storage");
    objectives = objectives == null ? StudyObjectives.single(metric) : objectives;
    if (trialsPerWorker < 0) {
      throw new IllegalArgumentException("trialsPerWorker must be >= 0, was " + trialsPerWorker);
    }
  }

  /** Settings of a single-metric study. */
  public TrialSettings(OutputLayout layout, String dataDir, MetricSpec metric, int trainSteps,
      int evalEverySteps, int checkpointEverySteps, int earlyStoppingPatience, int trialsPerWorker,
      int trialCount, StorageConfig storage, boolean deterministic, WarmStart warmStart) {
    this(layout, dataDir, metric, trainSteps, evalEverySteps, checkpointEverySteps, earlyStoppingPatience,
        trialsPerWorker, trialCount, storage, deterministic, warmStart, null);
  }

  /** Settings without a warm start. */
  public TrialSettings(OutputLayout layout, String dataDir, MetricSpec metric, int trainSteps,
      int evalEverySteps, int checkpointEverySteps, int earlyStoppingPatience, int trialsPerWorker,
      int trialCount, StorageConfig storage, boolean deterministic) {
    this(layout, dataDir, metric, trainSteps, evalEverySteps, checkpointEverySteps, earlyStoppingPatience,
        trialsPerWorker, trialCount, storage, deterministic, WarmStart.none());
  }

  public static TrialSettings of(
      StudySpec study, OutputLayout layout, int trialsPerWorker, int trialCount, StorageConfig storage) {
    return new TrialSettings(
        layout,
        layout.data(),
        study.metric(),
        study.trainSteps(),
        study.evalEverySteps(),
        study.checkpointEverySteps(),
        study.earlyStoppingPatience(),
        trialsPerWorker,
        trialCount,
        storage,
        false,
        WarmStart.none(),
        study.objectives());
  }

  /** A copy, deterministic or not (see {@link #deterministic()}). */
  public TrialSettings withDeterministic(boolean deterministic) {
    return new TrialSettings(layout, dataDir, metric, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, trialsPerWorker, trialCount, storage, deterministic, warmStart, objectives);
  }

  /** A copy with another step budget per trial (successive-halving rungs). */
  public TrialSettings withTrainSteps(int trainSteps) {
    return new TrialSettings(layout, dataDir, metric, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, trialsPerWorker, trialCount, storage, deterministic, warmStart, objectives);
  }

  /** A copy for a sweep of {@code trialCount} trials. */
  public TrialSettings withTrialCount(int trialCount) {
    return new TrialSettings(layout, dataDir, metric, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, trialsPerWorker, trialCount, storage, deterministic, warmStart, objectives);
  }

  /** A copy with another number of trials per worker JVM (0 = the worker's cores). */
  public TrialSettings withTrialsPerWorker(int trialsPerWorker) {
    return new TrialSettings(layout, dataDir, metric, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, trialsPerWorker, trialCount, storage, deterministic, warmStart, objectives);
  }

  /** A copy whose trials start from {@code warmStart} when they have no checkpoint of their own. */
  public TrialSettings withWarmStart(WarmStart warmStart) {
    return new TrialSettings(layout, dataDir, metric, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, trialsPerWorker, trialCount, storage, deterministic, warmStart, objectives);
  }

  /**
   * Trials running at once in this JVM, which divides its cores between their TF thread pools:
   * {@code trialsPerWorker}, else as many as the worker runs tasks at once -- a Spark executor's
   * cores (a standalone Worker's {@code --cores}, not the machine's), otherwise this JVM's cores.
   */
  public int concurrentTrials() {
    if (trialsPerWorker > 0) {
      return trialsPerWorker;
    }
    int workerTasks = SparkExecutorCores.ofThisExecutor().orElse(Runtime.getRuntime().availableProcessors());
    return Math.max(1, Math.min(trialCount, workerTasks));
  }

  /** The trainer's spec for one trial: its own directory, parameters, seed and warm start. */
  public TrialSpec toTrialSpec(Trial trial) {
    TrialSpec.Builder spec = TrialSpec.builder()
        .dataDir(dataDir)
        .trialDir(layout.trialDir(trial.id()))
        .trialId(trial.id())
        .params(trial.params())
        .seed(trial.seed())
        .trainSteps(trainSteps)
        .evalEverySteps(evalEverySteps)
        .checkpointEverySteps(checkpointEverySteps)
        .metric(metric)
        .earlyStoppingPatience(earlyStoppingPatience)
        .concurrentTrials(concurrentTrials())
        .deterministic(deterministic)
        // Only a study that reads the model metrics pays for (and records) them.
        .modelCost(!objectives.isSingleMetricOnly())
        .storageConfig(storage);
    String warmStartFrom = warmStart.checkpointFor(trial.params());
    if (warmStartFrom != null) {
      spec.warmStartFrom(warmStartFrom);
    }
    return spec.build();
  }
}
