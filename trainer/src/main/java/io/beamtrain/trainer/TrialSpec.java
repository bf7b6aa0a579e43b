package io.beamtrain.trainer;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one trial needs: where the data and the trial directory are, the hyperparameters,
 * the seed and the training budget. Immutable, {@link Serializable} (Beam carries it to workers);
 * build with {@link #builder()}, which validates and names the offending field.
 *
 * <p>Defaults: {@code trialId} the trial directory's last segment, empty params (the default
 * model), seed 0, {@value #DEFAULT_TRAIN_STEPS} train steps, evaluation and checkpoint once per
 * epoch of training data (at least every {@value #MIN_AUTO_EVAL_EVERY_STEPS} steps, and both at
 * the last step), metric {@code eval_loss} minimized, no early stopping, threads 0
 * (= {@code max(1, cores / concurrentTrials)} intra-op, 2 inter-op), one concurrent trial, no warm
 * start, {@code StorageConfig.defaults()}, {@value #DEFAULT_MAX_IN_MEMORY_BYTES} bytes of training
 * data held in memory before streaming, {@value #DEFAULT_MAX_CHECKPOINTS_TO_KEEP} latest checkpoints
 * kept plus the best one, checkpoints written in the background, not {@link #deterministic()},
 * automatic steps per {@code Session.run} ({@link #stepsPerExecution()}).
 */
public final class TrialSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final long DEFAULT_TRAIN_STEPS = 1000;
  /** 0: evaluate once per epoch of training data (see {@link #evalEverySteps(long, int)}). */
  public static final long DEFAULT_EVAL_EVERY_STEPS = 0;
  /** 0: checkpoint at the evaluation cadence. */
  public static final long DEFAULT_CHECKPOINT_EVERY_STEPS = 0;
  /** The shortest automatic evaluation cadence, for training sets of a few batches. */
  public static final long MIN_AUTO_EVAL_EVERY_STEPS = 100;
  public static final long DEFAULT_MAX_IN_MEMORY_BYTES = 1L << 30;
  public static final int DEFAULT_MAX_CHECKPOINTS_TO_KEEP = 2;
  /**
   * Automatic: whole trials on an idle 2-core machine took 0.88-0.94x the time of one step per
   * run at 2,000 steps, 0.57-0.63x at 5,000 and 0.34-0.54x at 20,000 (linear and 2x64 DNN,
   * {@code TrainerBenchmark#wholeTrialsAutomaticVersusOneStepPerRun}); under 2,000 steps it is
   * one step per run anyway.
   */
  public static final int DEFAULT_STEPS_PER_EXECUTION = 0;
  /** The most steps one run may unroll: the graph holds a copy of the step per unrolled step. */
  public static final int MAX_STEPS_PER_EXECUTION = 100;
  /** Automatic steps per execution needs this many train steps per unrolled step. */
  public static final int TRAIN_STEPS_PER_UNROLLED_STEP = 1000;
  private static final int[] AUTO_STEPS_PER_EXECUTION = {20, 10, 5, 4, 2};

  private final String dataDir;
  private final String trialDir;
  private final String trialId;
  private final LinkedHashMap<String, Object> params;
  private final long seed;
  private final long trainSteps;
  private final long evalEverySteps;
  private final long checkpointEverySteps;
  private final MetricSpec metric;
  private final int earlyStoppingPatience;
  private final int intraOpThreads;
  private final int interOpThreads;
  private final boolean deterministic;
  private final int concurrentTrials;
  private final String warmStartFrom;
  private final StorageConfig storageConfig;
  private final long maxInMemoryBytes;
  private final int maxCheckpointsToKeep;
  private final boolean asyncCheckpoints;
  private final int stepsPerExecution;
  private final boolean modelCost;

  private TrialSpec(Builder b) {
    this.dataDir = b.dataDir;
    this.trialDir = b.trialDir;
    this.trialId = b.trialId != null ? b.trialId : StoragePaths.fileName(b.trialDir);
    this.params = new LinkedHashMap<>(b.params);
    this.seed = b.seed;
    this.trainSteps = b.trainSteps;
    this.evalEverySteps = b.evalEverySteps;
    this.checkpointEverySteps = b.checkpointEverySteps;
    this.metric = b.metric;
    this.earlyStoppingPatience = b.earlyStoppingPatience;
    this.intraOpThreads = b.intraOpThreads;
    this.interOpThreads = b.interOpThreads;
    this.deterministic = b.deterministic;
    this.concurrentTrials = b.concurrentTrials;
    this.warmStartFrom = b.warmStartFrom;
    this.storageConfig = b.storageConfig != null ? b.storageConfig : StorageConfig.defaults();
    this.maxInMemoryBytes = b.maxInMemoryBytes;
    this.maxCheckpointsToKeep = b.maxCheckpointsToKeep;
    this.asyncCheckpoints = b.asyncCheckpoints;
    this.stepsPerExecution = b.stepsPerExecution;
    this.modelCost = b.modelCost;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's values, to derive a variant. */
  public Builder toBuilder() {
    return new Builder()
        .dataDir(dataDir)
        .trialDir(trialDir)
        .trialId(trialId)
        .params(params)
        .seed(seed)
        .trainSteps(trainSteps)
        .evalEverySteps(evalEverySteps)
        .checkpointEverySteps(checkpointEverySteps)
        .metric(metric)
        .earlyStoppingPatience(earlyStoppingPatience)
        .intraOpThreads(intraOpThreads)
        .interOpThreads(interOpThreads)
        .deterministic(deterministic)
        .concurrentTrials(concurrentTrials)
        .warmStartFrom(warmStartFrom)
        .storageConfig(storageConfig)
        .maxInMemoryBytes(maxInMemoryBytes)
        .maxCheckpointsToKeep(maxCheckpointsToKeep)
        .asyncCheckpoints(asyncCheckpoints)
        .stepsPerExecution(stepsPerExecution)
        .modelCost(modelCost);
  }

  /** The preprocessed data directory (holding transform.json and the shards). */
  public String dataDir() {
    return dataDir;
  }

  /** The trial directory, local or {@code gs://}. */
  public String trialDir() {
    return trialDir;
  }

  public String trialId() {
    return trialId;
  }

  /** The raw hyperparameters, as given (parsed by {@code model.HyperParameters.parse}). */
  public Map<String, Object> params() {
    return Collections.unmodifiableMap(params);
  }

  /** Seeds weight initialisation, data order and dropout. */
  public long seed() {
    return seed;
  }

  /** The global step to train to (a resumed trial trains the remaining steps). */
  public long trainSteps() {
    return trainSteps;
  }

  /** As given; 0 means once per epoch (see {@link #evalEverySteps(long, int)}). */
  public long evalEverySteps() {
    return evalEverySteps;
  }

  /** As given; 0 means at the evaluation cadence. */
  public long checkpointEverySteps() {
    return checkpointEverySteps;
  }

  /**
   * The evaluation cadence for a training split of {@code trainExamples} rows at {@code
   * batchSize}: the given value, else one epoch ({@code ceil(trainExamples / batchSize)} steps,
   * at least {@value #MIN_AUTO_EVAL_EVERY_STEPS}), as Keras evaluates once per epoch. Tying it to
   * the data keeps evaluation a steady fraction of the work, since the eval split grows with the
   * training split.
   */
  public long evalEverySteps(long trainExamples, int batchSize) {
    if (evalEverySteps > 0) {
      return evalEverySteps;
    }
    long epoch = (Math.max(1, trainExamples) + batchSize - 1) / batchSize;
    return Math.max(MIN_AUTO_EVAL_EVERY_STEPS, epoch);
  }

  /** The checkpoint cadence: the given value, else the evaluation cadence. */
  public long checkpointEverySteps(long trainExamples, int batchSize) {
    return checkpointEverySteps > 0 ? checkpointEverySteps : evalEverySteps(trainExamples, batchSize);
  }

  public MetricSpec metric() {
    return metric;
  }

  /** Evaluations without improvement before stopping; 0 disables early stopping. */
  public int earlyStoppingPatience() {
    return earlyStoppingPatience;
  }

  /** As given; 0 means the default (see {@link #effectiveIntraOpThreads()}). */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  public int interOpThreads() {
    return interOpThreads;
  }

  /** How many trials this JVM runs at once; divides the cores between them. */
  public int concurrentTrials() {
    return concurrentTrials;
  }

  /**
   * TF intra-op threads: the given value, else {@code max(1, cores / concurrentTrials)}. Results
   * are bit-identical only on equal values, and TensorFlow applies the first session's value to
   * the whole process: set it explicitly (e.g. 1) when results must not depend on the machine or
   * on how many trials run at once.
   */
  public int effectiveIntraOpThreads() {
    if (deterministic) {
      return 1;
    }
    if (intraOpThreads > 0) {
      return intraOpThreads;
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / concurrentTrials);
  }

  /**
   * TF inter-op threads: 1 when {@link #deterministic()}, else the given value, else 2 (the
   * graphs have little op-level parallelism).
   */
  public int effectiveInterOpThreads() {
    if (deterministic) {
      return 1;
    }
    return interOpThreads > 0 ? interOpThreads : 2;
  }

  /**
   * Whether the trial must give bit-identical results whatever the machine, runner and number of
   * concurrent trials: TensorFlow runs it on one intra-op and one inter-op thread, and the trainer
   * refuses to run it on a process-wide intra-op pool of another size (see {@code
   * TrainingSession#sessionConfig}) rather than silently lose the guarantee. Default false: threads
   * follow {@link #effectiveIntraOpThreads()}, faster on idle cores, but the last bits of the
   * results (and from there, over many steps, the metrics) may depend on the thread count.
   */
  public boolean deterministic() {
    return deterministic;
  }

  /**
   * Whether a finished trial records its {@link ModelMetrics} ({@code model_params}, {@code
   * serving_latency_ms}) in its metrics. Default false: a study of one metric keeps results whose
   * metrics are its best checkpoint's, bit-identical between runs (the latency is a wall-clock
   * figure); a multi-objective or constrained study turns it on.
   */
  public boolean modelCost() {
    return modelCost;
  }

  /** A checkpoint prefix to initialise the model's variables from, or null. */
  public String warmStartFrom() {
    return warmStartFrom;
  }

  public StorageConfig storageConfig() {
    return storageConfig;
  }

  /** Training data up to this size is held in memory; larger data is streamed from the shards. */
  public long maxInMemoryBytes() {
    return maxInMemoryBytes;
  }

  /** Latest checkpoints kept in the trial directory, besides the best one. */
  public int maxCheckpointsToKeep() {
    return maxCheckpointsToKeep;
  }

  /**
   * Whether checkpoints are written in the background: the loop only copies the variables and
   * trains on while the copy is written, uploaded and committed (see {@code CheckpointManager}).
   */
  public boolean asyncCheckpoints() {
    return asyncCheckpoints;
  }

  /**
   * Training steps run per {@code Session.run} (Keras' {@code steps_per_execution}), unrolled in
   * the graph; 1 = one step per run, 0 (the default) = automatic (see {@link
   * #effectiveStepsPerExecution()}). Any value trains bit for bit
   * the same: it changes only how many round trips the steps take.
   */
  public int stepsPerExecution() {
    return stepsPerExecution;
  }

  /**
   * Steps per {@code Session.run}: as given, else (0) the largest of 20, 10, 5, 4, 2 with at
   * least {@value #TRAIN_STEPS_PER_UNROLLED_STEP} train steps per unrolled step, else 1. Building
   * each unrolled step costs about what {@value #TRAIN_STEPS_PER_UNROLLED_STEP} round trips
   * save on the small models where the round trip matters (measured on the 2-core build
   * machine), so a short trial runs one step per run; the candidates divide the loss-logging
   * cadence of 100 steps, where a block must end.
   */
  public int effectiveStepsPerExecution() {
    if (stepsPerExecution > 0) {
      return stepsPerExecution;
    }
    for (int k : AUTO_STEPS_PER_EXECUTION) {
      if (trainSteps >= (long) k * TRAIN_STEPS_PER_UNROLLED_STEP) {
        return k;
      }
    }
    return 1;
  }

  @Override
  public String toString() {
    return "TrialSpec{trial="
        + trialId
        + ", trialDir="
        + trialDir
        + ", dataDir="
        + dataDir
        + ", params="
        + params
        + ", seed="
        + seed
        + ", trainSteps="
        + trainSteps
        + "}";
  }

  /** Builds a validated {@link TrialSpec}. Not thread-safe. */
  public static final class Builder {
    private String dataDir;
    private String trialDir;
    private String trialId;
    private Map<String, Object> params = Map.of();
    private long seed;
    private long trainSteps = DEFAULT_TRAIN_STEPS;
    private long evalEverySteps = DEFAULT_EVAL_EVERY_STEPS;
    private long checkpointEverySteps = DEFAULT_CHECKPOINT_EVERY_STEPS;
    private MetricSpec metric = MetricSpec.defaultMetric();
    private int earlyStoppingPatience;
    private int intraOpThreads;
    private int interOpThreads;
    private boolean deterministic;
    private boolean modelCost;
    private int concurrentTrials = 1;
    private String warmStartFrom;
    private StorageConfig storageConfig;
    private long maxInMemoryBytes = DEFAULT_MAX_IN_MEMORY_BYTES;
    private int maxCheckpointsToKeep = DEFAULT_MAX_CHECKPOINTS_TO_KEEP;
    private boolean asyncCheckpoints = true;
    private int stepsPerExecution = DEFAULT_STEPS_PER_EXECUTION;

    private Builder() {}

    public Builder dataDir(String dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder trialDir(String trialDir) {
      this.trialDir = trialDir;
      return this;
    }

    public Builder trialId(String trialId) {
      this.trialId = trialId;
      return this;
    }

    public Builder params(Map<String, ?> params) {
      this.params = new LinkedHashMap<>(Objects.requireNonNull(params, "params"));
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder trainSteps(long trainSteps) {
      this.trainSteps = trainSteps;
      return this;
    }

    public Builder evalEverySteps(long evalEverySteps) {
      this.evalEverySteps = evalEverySteps;
      return this;
    }

    public Builder checkpointEverySteps(long checkpointEverySteps) {
      this.checkpointEverySteps = checkpointEverySteps;
      return this;
    }

    public Builder metric(MetricSpec metric) {
      this.metric = Objects.requireNonNull(metric, "metric");
      return this;
    }

    public Builder earlyStoppingPatience(int earlyStoppingPatience) {
      this.earlyStoppingPatience = earlyStoppingPatience;
      return this;
    }

    public Builder intraOpThreads(int intraOpThreads) {
      this.intraOpThreads = intraOpThreads;
      return this;
    }

    public Builder interOpThreads(int interOpThreads) {
      this.interOpThreads = interOpThreads;
      return this;
    }

    /** See {@link TrialSpec#deterministic()}. */
    public Builder deterministic(boolean deterministic) {
      this.deterministic = deterministic;
      return this;
    }

    /** See {@link TrialSpec#modelCost()}. */
    public Builder modelCost(boolean modelCost) {
      this.modelCost = modelCost;
      return this;
    }

    public Builder concurrentTrials(int concurrentTrials) {
      this.concurrentTrials = concurrentTrials;
      return this;
    }

    public Builder warmStartFrom(String checkpointPrefix) {
      this.warmStartFrom = checkpointPrefix;
      return this;
    }

    public Builder storageConfig(StorageConfig storageConfig) {
      this.storageConfig = storageConfig;
      return this;
    }

    public Builder maxInMemoryBytes(long maxInMemoryBytes) {
      this.maxInMemoryBytes = maxInMemoryBytes;
      return this;
    }

    public Builder maxCheckpointsToKeep(int maxCheckpointsToKeep) {
      this.maxCheckpointsToKeep = maxCheckpointsToKeep;
      return this;
    }

    public Builder asyncCheckpoints(boolean asyncCheckpoints) {
      this.asyncCheckpoints = asyncCheckpoints;
      return this;
    }

    public Builder stepsPerExecution(int stepsPerExecution) {
      this.stepsPerExecution = stepsPerExecution;
      return this;
    }

    /** Validates and builds; an {@link IllegalArgumentException} names the bad field. */
    public TrialSpec build() {
      require(dataDir != null && !dataDir.isBlank(), "dataDir is required");
      require(trialDir != null && !trialDir.isBlank(), "trialDir is required");
      require(trialId == null || !trialId.isBlank(), "trialId must not be blank");
      require(trainSteps >= 1, "trainSteps must be >= 1, was " + trainSteps);
      require(evalEverySteps >= 0, "evalEverySteps must be >= 0 (0 = once per epoch), was " + evalEverySteps);
      require(
          checkpointEverySteps >= 0,
          "checkpointEverySteps must be >= 0 (0 = with evaluations), was " + checkpointEverySteps);
      require(
          earlyStoppingPatience >= 0,
          "earlyStoppingPatience must be >= 0 (0 = off), was " + earlyStoppingPatience);
      require(intraOpThreads >= 0, "intraOpThreads must be >= 0 (0 = auto), was " + intraOpThreads);
      require(interOpThreads >= 0, "interOpThreads must be >= 0 (0 = auto), was " + interOpThreads);
      require(
          !deterministic || intraOpThreads <= 1 && interOpThreads <= 1,
          "deterministic runs on 1 intra-op and 1 inter-op thread; intraOpThreads="
              + intraOpThreads
              + " and interOpThreads="
              + interOpThreads
              + " contradict it");
      require(concurrentTrials >= 1, "concurrentTrials must be >= 1, was " + concurrentTrials);
      require(
          warmStartFrom == null || !warmStartFrom.isBlank(), "warmStartFrom must not be blank");
      require(maxInMemoryBytes >= 0, "maxInMemoryBytes must be >= 0, was " + maxInMemoryBytes);
      require(
          maxCheckpointsToKeep >= 1,
          "maxCheckpointsToKeep must be >= 1, was " + maxCheckpointsToKeep);
      require(
          stepsPerExecution >= 0 && stepsPerExecution <= MAX_STEPS_PER_EXECUTION,
          "stepsPerExecution must be in [0, " + MAX_STEPS_PER_EXECUTION + "] (0 = auto), was " + stepsPerExecution);
      return new TrialSpec(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException("TrialSpec: " + message);
      }
    }
  }
}
