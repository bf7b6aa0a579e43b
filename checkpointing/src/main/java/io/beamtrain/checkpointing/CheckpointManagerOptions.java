package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.retention.AnyOf;
import io.beamtrain.checkpointing.retention.BestN;
import io.beamtrain.checkpointing.retention.EveryNHours;
import io.beamtrain.checkpointing.retention.KeepAll;
import io.beamtrain.checkpointing.retention.LatestN;
import io.beamtrain.checkpointing.retention.PreservationPolicy;
import io.beamtrain.checkpointing.retention.Retention;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link CheckpointManager} names, keeps and writes checkpoints. Built with {@link
 * #builder()}, validated once in {@link Builder#build()}; immutable.
 *
 * <ul>
 *   <li>{@code maxToKeep} (default {@value #DEFAULT_MAX_TO_KEEP}; 0 keeps all): the most recent
 *       checkpoints to keep, Python's {@code max_to_keep}.
 *   <li>{@code keepCheckpointEveryNHours} (default none): also keep one checkpoint per interval
 *       forever, Python's {@code keep_checkpoint_every_n_hours}.
 *   <li>{@code keepBest(n, metric, goal)} (default none): also keep the n best by a metric passed
 *       to {@code save}.
 *   <li>{@code async} (default false) and {@code asyncQueueCapacity} (default {@value
 *       #DEFAULT_ASYNC_QUEUE_CAPACITY}): upload and commit in a background thread; {@code save}
 *       blocks while that many snapshots are already waiting.
 *   <li>{@code snapshotMode} (default {@link SnapshotMode#IN_GRAPH}): how an async {@code save}
 *       takes its snapshot of the variables.
 *   <li>{@code clock} (default the UTC system clock): timestamps and retention.
 *   <li>{@code checkpointBasename} (default {@value #DEFAULT_BASENAME}): files are {@code
 *       <basename>-<step>.*}.
 *   <li>{@code stagingDirectory} (default {@code java.io.tmpdir}): where TensorFlow writes before
 *       the upload.
 *   <li>{@code commitListener} (default none): told of every committed checkpoint and the time
 *       from its {@code save} call to the commit; see {@link CheckpointCommitListener} for the
 *       thread it runs on.
 * </ul>
 */
public record CheckpointManagerOptions(
    int maxToKeep,
    Optional<Duration> keepCheckpointEveryNHours,
    Optional<BestN> keepBest,
    boolean async,
    int asyncQueueCapacity,
    SnapshotMode snapshotMode,
    Clock clock,
    String checkpointBasename,
    Path stagingDirectory,
    Optional<CheckpointCommitListener> commitListener) {

  public static final int DEFAULT_MAX_TO_KEEP = 5;
  public static final int DEFAULT_ASYNC_QUEUE_CAPACITY = 2;
  public static final String DEFAULT_BASENAME = "model.ckpt";

  /** How an async save snapshots the variables before training goes on. */
  public enum SnapshotMode {
    /**
     * Shadow variables in the training graph: {@code save} runs one {@code Session.run} copying
     * every variable into its shadow inside TensorFlow; the background thread fetches the shadows
     * from that session (no copy) and writes them. One extra copy of the variables for the
     * session's lifetime; a save waits while the previous one is still unwritten; the session
     * must stay open until the manager is flushed or closed. Adds ops to the graph (see {@code
     * ShadowSnapshots}).
     */
    IN_GRAPH,
    /**
     * {@code save} fetches the variables and copies them into Java-owned native buffers, reused
     * from save to save (up to {@code asyncQueueCapacity + 1} copies alive); leaves the graph as
     * it is, and the session may close once {@code save} returns.
     */
    COPY
  }

  public CheckpointManagerOptions {
    Objects.requireNonNull(keepCheckpointEveryNHours, "keepCheckpointEveryNHours");
    Objects.requireNonNull(snapshotMode, "snapshotMode");
    Objects.requireNonNull(keepBest, "keepBest");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(stagingDirectory, "stagingDirectory");
    Objects.requireNonNull(commitListener, "commitListener");
    if (maxToKeep < 0) {
      throw new IllegalArgumentException("maxToKeep must be >= 0 (0 keeps all), was " + maxToKeep);
    }
    if (asyncQueueCapacity < 1) {
      throw new IllegalArgumentException("asyncQueueCapacity must be >= 1, was " + asyncQueueCapacity);
    }
    keepCheckpointEveryNHours.ifPresent(
        d -> {
          if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("keepCheckpointEveryNHours must be positive, was " + d);
          }
        });
    if (checkpointBasename == null
        || checkpointBasename.isBlank()
        || checkpointBasename.contains("/")
        || !checkpointBasename.equals(checkpointBasename.strip())) {
      throw new IllegalArgumentException(
          "checkpointBasename must be a plain file name without '/' or surrounding spaces, was '"
              + checkpointBasename + "'");
    }
  }

  public static CheckpointManagerOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The rules these options describe; see {@link Retention}. */
  public Retention retention() {
    List<PreservationPolicy> listed = new ArrayList<>();
    listed.add(maxToKeep == 0 ? new KeepAll() : new LatestN(maxToKeep));
    keepBest.ifPresent(listed::add);
    PreservationPolicy policy = listed.size() == 1 ? listed.get(0) : new AnyOf(listed);
    // With every checkpoint listed nothing is ever released, so the hourly rule has no work.
    return new Retention(policy, keepCheckpointEveryNHours.map(EveryNHours::new));
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private int maxToKeep = DEFAULT_MAX_TO_KEEP;
    private Duration keepCheckpointEveryNHours;
    private BestN keepBest;
    private boolean async;
    private int asyncQueueCapacity = DEFAULT_ASYNC_QUEUE_CAPACITY;
    private SnapshotMode snapshotMode = SnapshotMode.IN_GRAPH;
    private Clock clock = Clock.systemUTC();
    private String checkpointBasename = DEFAULT_BASENAME;
    private Path stagingDirectory = Paths.get(System.getProperty("java.io.tmpdir"));
    private CheckpointCommitListener commitListener;

    private Builder() {}

    /** Most recent checkpoints to keep; 0 keeps all (Python's {@code max_to_keep=None}). */
    public Builder maxToKeep(int maxToKeep) {
      this.maxToKeep = maxToKeep;
      return this;
    }

    /** Keep one checkpoint per {@code interval} forever; null for none. */
    public Builder keepCheckpointEveryNHours(Duration interval) {
      this.keepCheckpointEveryNHours = interval;
      return this;
    }

    /** Also keep the {@code n} best checkpoints by {@code metric}. */
    public Builder keepBest(int n, String metric, Goal goal) {
      this.keepBest = new BestN(n, metric, goal);
      return this;
    }

    public Builder async(boolean async) {
      this.async = async;
      return this;
    }

    public Builder asyncQueueCapacity(int capacity) {
      this.asyncQueueCapacity = capacity;
      return this;
    }

    /** How an async save snapshots the variables; see {@link SnapshotMode}. */
    public Builder snapshotMode(SnapshotMode mode) {
      this.snapshotMode = mode;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder checkpointBasename(String basename) {
      this.checkpointBasename = basename;
      return this;
    }

    public Builder stagingDirectory(Path directory) {
      this.stagingDirectory = directory;
      return this;
    }

    /** Told of every committed checkpoint; null for none. */
    public Builder commitListener(CheckpointCommitListener listener) {
      this.commitListener = listener;
      return this;
    }

    public CheckpointManagerOptions build() {
      return new CheckpointManagerOptions(
          maxToKeep,
          Optional.ofNullable(keepCheckpointEveryNHours),
          Optional.ofNullable(keepBest),
          async,
          asyncQueueCapacity,
          snapshotMode,
          clock,
          checkpointBasename,
          stagingDirectory,
          Optional.ofNullable(commitListener));
    }
  }
}
