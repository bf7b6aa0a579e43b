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
 * model), seed 0, {@value #DEFAULT_TRAIN_STEPS} train steps, evaluation every {@value
 * #DEFAULT_EVAL_EVERY_STEPS} and checkpoint every {@value #DEFAULT_CHECKPOINT_EVERY_STEPS} steps
 * (and both at the last step), metric {@code eval_loss} minimized, no early stopping, threads 0
 * (= {@code max(1, cores / concurrentTrials)} intra-op, 2 inter-op), one concurrent trial, no warm
 * start, {@code StorageConfig.defaults()}, {@value #DEFAULT_MAX_IN_MEMORY_BYTES} bytes of training
 * data held in memory before streaming, {@value #DEFAULT_MAX_CHECKPOINTS_TO_KEEP} latest checkpoints
 * kept plus the best one, checkpoints written in the background.
 */
public final class TrialSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final long DEFAULT_TRAIN_STEPS = 1000;
  public static final long DEFAULT_EVAL_EVERY_STEPS = 1000;
  public static final long DEFAULT_CHECKPOINT_EVERY_STEPS = 1000;
  public static final long DEFAULT_MAX_IN_MEMORY_BYTES = 1L << 30;
  public static final int DEFAULT_MAX_CHECKPOINTS_TO_KEEP = 2;

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
  private final int concurrentTrials;
  private final String warmStartFrom;
  private final StorageConfig storageConfig;
  private final long maxInMemoryBytes;
  private final int maxCheckpointsToKeep;
  private final boolean asyncCheckpoints;

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
    this.concurrentTrials = b.concurrentTrials;
    this.warmStartFrom = b.warmStartFrom;
    this.storageConfig = b.storageConfig != null ? b.storageConfig : StorageConfig.defaults();
    this.maxInMemoryBytes = b.maxInMemoryBytes;
    this.maxCheckpointsToKeep = b.maxCheckpointsToKeep;
    this.asyncCheckpoints = b.asyncCheckpoints;
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
        .concurrentTrials(concurrentTrials)
        .warmStartFrom(warmStartFrom)
        .storageConfig(storageConfig)
        .maxInMemoryBytes(maxInMemoryBytes)
        .maxCheckpointsToKeep(maxCheckpointsToKeep)
        .asyncCheckpoints(asyncCheckpoints);
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

  /** The raw hyperparameters, as given (parsed by {@link HyperParameters#parse}). */
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

  public long evalEverySteps() {
    return evalEverySteps;
  }

  public long checkpointEverySteps() {
    return checkpointEverySteps;
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
    if (intraOpThreads > 0) {
      return intraOpThreads;
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / concurrentTrials);
  }

  /** TF inter-op threads: the given value, else 2 (the graphs have little op-level parallelism). */
  public int effectiveInterOpThreads() {
    return interOpThreads > 0 ? interOpThreads : 2;
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
    private int concurrentTrials = 1;
    private String warmStartFrom;
    private StorageConfig storageConfig;
    private long maxInMemoryBytes = DEFAULT_MAX_IN_MEMORY_BYTES;
    private int maxCheckpointsToKeep = DEFAULT_MAX_CHECKPOINTS_TO_KEEP;
    private boolean asyncCheckpoints = true;

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

    /** Validates and builds; an {@link IllegalArgumentException} names the bad field. */
    public TrialSpec build() {
      require(dataDir != null && !dataDir.isBlank(), "dataDir is required");
      require(trialDir != null && !trialDir.isBlank(), "trialDir is required");
      require(trialId == null || !trialId.isBlank(), "trialId must not be blank");
      require(trainSteps >= 1, "trainSteps must be >= 1, was " + trainSteps);
      require(evalEverySteps >= 1, "evalEverySteps must be >= 1, was " + evalEverySteps);
      require(
          checkpointEverySteps >= 1,
          "checkpointEverySteps must be >= 1, was " + checkpointEverySteps);
      require(
          earlyStoppingPatience >= 0,
          "earlyStoppingPatience must be >= 0 (0 = off), was " + earlyStoppingPatience);
      require(intraOpThreads >= 0, "intraOpThreads must be >= 0 (0 = auto), was " + intraOpThreads);
      require(interOpThreads >= 0, "interOpThreads must be >= 0 (0 = auto), was " + interOpThreads);
      require(concurrentTrials >= 1, "concurrentTrials must be >= 1, was " + concurrentTrials);
      require(
          warmStartFrom == null || !warmStartFrom.isBlank(), "warmStartFrom must not be blank");
      require(maxInMemoryBytes >= 0, "maxInMemoryBytes must be >= 0, was " + maxInMemoryBytes);
      require(
          maxCheckpointsToKeep >= 1,
          "maxCheckpointsToKeep must be >= 1, was " + maxCheckpointsToKeep);
      return new TrialSpec(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException("TrialSpec: " + message);
      }
    }
  }
}
