package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.retention.PreservationContext;
import io.beamtrain.checkpointing.retention.Retention;
import io.beamtrain.checkpointing.retention.RetentionPlan;
import io.beamtrain.checkpointing.storage.PendingObject;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.storage.VersionedBytes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SaverDef;

/**
 * Step-indexed checkpoints of one model in one directory (local or {@code gs://}), laid out and
 * retained as Python's {@code tf.train.CheckpointManager} does, and safe on an object store.
 *
 * <p><b>Files.</b> {@code save(session, 200, metrics)} writes {@code model.ckpt-200.metrics.json}
 * (see {@link MetricsSidecar}), {@code .data-00000-of-00001}, {@code .index} and {@code .meta}
 * (the {@link MetaGraphs meta-graph}, computed once per manager), then commits the {@code
 * checkpoint} state file ({@link CheckpointState}), then applies retention.
 *
 * <p><b>Commit protocol.</b> A checkpoint exists only once the state file lists it, and the state
 * file is replaced only by compare-and-set on the generation this manager last read or wrote: if
 * anyone else wrote it meanwhile, {@code save} throws {@link ConcurrentWriterException} instead of
 * overwriting. Files of checkpoints retention drops are deleted only after the new state file no
 * longer lists them. A crash at any point therefore leaves the last committed checkpoint
 * restorable; the files of a save that never committed are deleted by {@link OrphanCollector}
 * the next time the directory is opened for writing. Re-saving a step that is already listed
 * first unlists it, so a listed checkpoint's files are never overwritten in place.
 *
 * <p><b>Reading.</b> A state file that lists a checkpoint whose files are missing: that
 * checkpoint is skipped (warning) and the newest complete one is used. One whose files are
 * damaged (truncated or garbage TensorFlow files, a sidecar that does not parse) is found at
 * restore: {@link #restore(Session)} skips it (warning naming the files) for the next older one.
 * A corrupt state file: {@link #readState} throws naming the file and line, while {@link
 * #latest()} and {@link #latestCheckpoint} fall back to the newest complete checkpoint found by
 * listing (warning).
 *
 * <p><b>Retention</b> follows {@link CheckpointManagerOptions#retention()}: max_to_keep recent
 * ones, the best N by a metric (metrics persist in the sidecars, so this survives restarts), and
 * one every N hours kept forever (dropped from the state file, like Python).
 *
 * <p><b>Async mode.</b> {@code save} snapshots the variables (one memory copy), queues the
 * snapshot and returns; a background thread writes it locally with TensorFlow, uploads and
 * commits, in order. {@code save} blocks while {@code asyncQueueCapacity} snapshots are waiting.
 * The snapshot ({@link CheckpointManagerOptions.SnapshotMode}): by default copied into shadow
 * variables inside the graph by one {@code Session.run} ({@link ShadowSnapshots}; one extra copy
 * of the variables, and a save waits while the previous snapshot is unwritten; keep the session
 * open until {@link #flush()} or {@link #close()}), or fetched and copied into Java-owned buffers
 * reused from earlier saves (up to {@code asyncQueueCapacity + 2} copies of the variables stay
 * allocated).
 * {@link #flush()} and {@link #close()} wait and throw if any background save failed; after a
 * failure every later call throws too. {@link #latest()} and {@link #all()} reflect committed
 * checkpoints only.
 *
 * <p><b>Commit notification.</b> {@link CheckpointManagerOptions#commitListener()} is told of each
 * committed checkpoint with the time from its {@code save} call to the commit, which in async mode
 * is longer than {@code save} blocked (see {@link CheckpointCommitListener}).
 *
 * <p><b>Thread-safety.</b> All methods may be called from any thread; {@code save} and {@code
 * restore} calls are serialised. One manager (one process) per directory.
 */
public final class CheckpointManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointManager.class);

  private final String directory;
  private final String statePath;
  private final Storage storage;
  private final SaverGraph saver;
  private final CheckpointManagerOptions options;
  private final Retention retention;
  private final byte[] metaGraph;
  private final AsyncCommitter async;
  /** The in-graph snapshot (async mode IN_GRAPH), else null. */
  private final ShadowSnapshots shadows;
  /** Reused snapshot memory (async mode COPY). */
  private final SnapshotBuffers snapshotBuffers = new SnapshotBuffers();
  /** Committed state; replaced by the single committing thread, read by anyone. */
  private volatile Committed committed;
  private boolean closed;

  /** What this manager last committed (or read at open). */
  private record Committed(List<Checkpoint> checkpoints, Instant lastPreserved, byte[] stateBytes) {}

  private CheckpointManager(
      String directory,
      Storage storage,
      SaverGraph saver,
      CheckpointManagerOptions options,
      byte[] metaGraph,
      Committed committed) {
    this.directory = directory;
    this.statePath = StoragePaths.join(directory, CheckpointState.FILE_NAME);
    this.storage = storage;
    this.saver = saver;
    this.options = options;
    this.retention = options.retention();
    this.metaGraph = metaGraph;
    this.committed = committed;
    // After the .meta was computed (by open): the shadows are in no checkpoint's graph.
    this.shadows =
        options.async() && options.snapshotMode() == CheckpointManagerOptions.SnapshotMode.IN_GRAPH
            ? ShadowSnapshots.build(saver.graph(), saver.variables())
            : null;
    this.async =
        options.async()
            ? new AsyncCommitter(
                options.asyncQueueCapacity(), saver.variables(), this::commit,
                options.stagingDirectory(), directory)
            : null;
  }

  /**
   * Opens {@code directory} for writing checkpoints of {@code graph} (whose variables {@code
   * saver} saves), collecting orphan files of saves that never committed. The {@code .meta} files
   * mark every variable trainable; a training graph names its trainable variables and train op
   * with {@link #open(String, SaverGraph, Graph, GraphCollections, CheckpointManagerOptions,
   * StorageConfig)}.
   */
  public static CheckpointManager open(
      String directory,
      SaverGraph saver,
      Graph graph,
      CheckpointManagerOptions options,
      StorageConfig config) {
    return open(directory, saver, graph, GraphCollections.allTrainable(), options, config);
  }

  /** As {@link #open(String, SaverGraph, Graph, CheckpointManagerOptions, StorageConfig)}, the {@code .meta} files carrying {@code collections}. */
  public static CheckpointManager open(
      String directory,
      SaverGraph saver,
      Graph graph,
      GraphCollections collections,
      CheckpointManagerOptions options,
      StorageConfig config) {
    return open(directory, saver, graph, null, collections, options, config);
  }

  /**
   * As {@link #open(String, SaverGraph, Graph, GraphCollections, CheckpointManagerOptions,
   * StorageConfig)}, the {@code .meta} files recording {@code recordedGraph} (null: {@code graph}
   * as it is now), a snapshot of {@code graph} taken before the ops that do not belong there.
   */
  public static CheckpointManager open(
      String directory,
      SaverGraph saver,
      Graph graph,
      GraphDef recordedGraph,
      GraphCollections collections,
      CheckpointManagerOptions options,
      StorageConfig config) {
    if (saver.graph() != graph) {
      throw new IllegalArgumentException("the saver was built for a different graph");
    }
    if (options.async() && saver.variables().isEmpty()) {
      throw new IllegalArgumentException(
          "async saves snapshot the variables, which needs a saver from SaverGraph.build, not fromSaverDef");
    }
    String dir = CheckpointCatalog.normalize(directory);
    Storage storage = Storages.forPath(dir, config);
    Instant now = Timestamps.truncate(options.clock().instant());
    CheckpointCatalog catalog = CheckpointCatalog.read(storage, dir, now);
    OrphanCollector.collect(storage, catalog);
    Instant lastPreserved =
        catalog.state
            .map(s -> Timestamps.fromSeconds(s.lastPreservedTimestamp()))
            // Python starts the every-N-hours clock one second before the manager is created.
            .orElse(now.minusSeconds(1));
    if (lastPreserved.isAfter(now)) {
      LOG.warn("{}: last_preserved_timestamp {} is in the future; using now", catalog.statePath, lastPreserved);
      lastPreserved = now;
    }
    SaverDef saverDef =
        saver.saverDef().toBuilder()
            .setMaxToKeep(options.maxToKeep())
            .setKeepCheckpointEveryNHours(
                options.keepCheckpointEveryNHours()
                    .map(d -> d.toMillis() / 3_600_000f)
                    .orElse(SaverGraph.DEFAULT_KEEP_CHECKPOINT_EVERY_N_HOURS))
            .build();
    byte[] meta =
        MetaGraphs.toBytes(
            graph, recordedGraph != null ? recordedGraph : withoutShadows(graph.toGraphDef()), saverDef, Map.of(),
            collections);
    Committed initial =
        new Committed(
            catalog.checkpoints, lastPreserved, catalog.stateFile.orElse(null));
    LOG.debug("opened {}: {} checkpoints", dir, catalog.checkpoints.size());
    return new CheckpointManager(dir, storage, saver, options, meta, initial);
  }

  /** {@code graph} without the ops of async managers' shadows (opened earlier on the same graph). */
  private static GraphDef withoutShadows(GraphDef graph) {
    if (graph.getNodeList().stream().noneMatch(n -> ShadowSnapshots.isShadowOp(n.getName()))) {
      return graph;
    }
    GraphDef.Builder kept = graph.toBuilder().clearNode();
    graph.getNodeList().stream().filter(n -> !ShadowSnapshots.isShadowOp(n.getName())).forEach(kept::addNode);
    return kept.build();
  }

  /**
   * The newest committed checkpoint of {@code directory}, like {@code tf.train.latest_checkpoint};
   * read-only (collects nothing).
   */
  public static Optional<Checkpoint> latestCheckpoint(String directory, StorageConfig config) {
    String dir = CheckpointCatalog.normalize(directory);
    return CheckpointCatalog.read(Storages.forPath(dir, config), dir, Instant.now()).latest();
  }

  /**
   * The committed checkpoints of {@code directory} whose files are all present, oldest first, each
   * with the metrics of its sidecar (empty when it has none); read-only, like {@link
   * #latestCheckpoint}. What a reader may restore or export, e.g. the best one by a metric.
   */
  public static List<Checkpoint> committedCheckpoints(String directory, StorageConfig config) {
    String dir = CheckpointCatalog.normalize(directory);
    return CheckpointCatalog.read(Storages.forPath(dir, config), dir, Instant.now()).checkpoints;
  }

  /**
   * The state file of {@code directory}, empty when there is none.
   *
   * @throws CheckpointStateFormatException naming the file and line when it is corrupt
   */
  public static Optional<CheckpointState> readState(String directory, StorageConfig config) {
    String dir = CheckpointCatalog.normalize(directory);
    String path = StoragePaths.join(dir, CheckpointState.FILE_NAME);
    try {
      return Optional.of(CheckpointState.parse(Storages.forPath(dir, config).readBytes(path), path));
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The directory, normalised (absolute for local paths, no trailing slash). */
  public String directory() {
    return directory;
  }

  /**
   * Saves the session's variables as checkpoint {@code step} with its {@code metrics} (used by
   * keep-best retention; may be empty). Synchronous mode returns once committed; async mode once
   * the variables are copied.
   *
   * @throws ConcurrentWriterException if another writer committed to the directory
   * @throws CheckpointException if saving fails, or (async) an earlier background save failed
   */
  public synchronized Checkpoint save(Session session, long step, Map<String, Double> metrics) {
    long started = System.nanoTime();
    checkOpen();
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, was " + step);
    }
    if (session.graph() != saver.graph()) {
      throw new IllegalArgumentException("the session runs a different graph than this manager's saver");
    }
    Instant timestamp = Timestamps.truncate(options.clock().instant());
    String name = CheckpointFiles.name(options.checkpointBasename(), step);
    Checkpoint checkpoint =
        new Checkpoint(step, StoragePaths.join(directory, name), timestamp, Map.copyOf(metrics));
    if (async != null) {
      async.throwIfFailed();
      AsyncCommitter.PendingSnapshot snapshot;
      if (shadows != null) {
        shadows.capture(session);
        snapshot = AsyncCommitter.PendingSnapshot.shadows(shadows, session);
      } else {
        snapshot = AsyncCommitter.PendingSnapshot.copied(saver.snapshot(session, snapshotBuffers));
      }
      async.submit(checkpoint, snapshot, started);
      return checkpoint;
    }
    Path staging = LocalCopy.createTempDirectory(options.stagingDirectory(), "beamtrain-save-");
    try {
      String localPrefix = staging.resolve(name).toString();
      saver.save(session, localPrefix);
      commit(checkpoint, staging, localPrefix, started);
    } finally {
      LocalCopy.deleteRecursively(staging);
    }
    return checkpoint;
  }

  /** The newest committed checkpoint. */
  public Optional<Checkpoint> latest() {
    List<Checkpoint> all = committed.checkpoints();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Committed checkpoints the state file lists, oldest first. */
  public List<Checkpoint> all() {
    return committed.checkpoints();
  }

  /**
   * Restores the newest committed checkpoint that restores: one whose files went missing or are
   * damaged (see {@link #restore(Session, long)}) is skipped with a warning naming its files, and
   * the next older one tried.
   *
   * @throws CheckpointException if none restores, saying why for each
   */
  public synchronized void restore(Session session) {
    checkOpen();
    flushIfAsync();
    List<Checkpoint> all = committed.checkpoints();
    CheckpointListing listing = CheckpointListing.of(storage, directory);
    List<String> problems = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Checkpoint c = all.get(i);
      List<String> missing = new ArrayList<>();
      if (!listing.isComplete(StoragePaths.fileName(c.prefix()), missing)) {
        LOG.warn("checkpoint {} is listed but its files are missing ({}); trying an older one", c.prefix(), missing);
        problems.add(c.prefix() + ": missing " + missing);
        continue;
      }
      try {
        restore(session, c);
        return;
      } catch (CheckpointException e) {
        LOG.warn("{}; trying an older one", e.getMessage());
        problems.add(e.getMessage());
      }
    }
    throw new CheckpointException("no checkpoint in " + directory + " restores"
        + (problems.isEmpty() ? " (none is committed)" : ": " + String.join("; ", problems)));
  }

  /**
   * Restores checkpoint {@code step}: a listed one, or one kept by keep-every-N-hours.
   *
   * @throws CheckpointException if no complete checkpoint has that step, or if its files are
   *     damaged: a metrics sidecar that does not parse or names another step, or TensorFlow files
   *     it cannot read (see {@link SaverGraph#restore}); the message names the file(s)
   */
  public synchronized void restore(Session session, long step) {
    checkOpen();
    flushIfAsync();
    for (Checkpoint c : committed.checkpoints()) {
      if (c.step() == step) {
        restore(session, c);
        return;
      }
    }
    String name = CheckpointFiles.name(options.checkpointBasename(), step);
    CheckpointListing listing = CheckpointListing.of(storage, directory);
    if (listing.isComplete(name)) {
      restore(session, new Checkpoint(step, StoragePaths.join(directory, name), Instant.EPOCH, Map.of()));
      return;
    }
    throw new CheckpointException(
        "no checkpoint for step " + step + " in " + directory + " (committed steps: "
            + committed.checkpoints().stream().map(Checkpoint::step).toList() + ")");
  }

  /** Waits for background saves (async mode) and throws if one failed. No-op when synchronous. */
  public void flush() {
    if (async != null) {
      async.flush();
    }
  }

  /** Flushes, then stops the background thread. Throws if a background save failed. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      if (async != null) {
        async.close();
      }
    } finally {
      snapshotBuffers.close();
    }
  }

  private void restore(Session session, Checkpoint checkpoint) {
    checkSidecar(checkpoint);
    try (LocalCopy local = LocalCopy.of(storage, checkpoint.prefix(), options.stagingDirectory())) {
      saver.restore(session, local.localPrefix(), checkpoint.prefix());
    }
    LOG.info("restored {}", checkpoint.prefix());
  }

  /**
   * Fails when the checkpoint's sidecar exists but is not its sidecar: whatever damaged it may
   * have damaged the rest, and keep-best retention and a resumed trial's history rely on its
   * metrics. A checkpoint without one (written by Python) is fine.
   */
  private void checkSidecar(Checkpoint checkpoint) {
    String path = checkpoint.prefix() + CheckpointFiles.METRICS;
    byte[] bytes;
    try {
      bytes = storage.readBytes(path);
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        return;
      }
      throw e;
    }
    MetricsSidecar sidecar;
    try {
      sidecar = MetricsSidecar.parse(bytes, path);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException("checkpoint " + checkpoint.prefix() + " cannot be restored: " + e.getMessage(), e);
    }
    if (sidecar.step() != checkpoint.step()) {
      throw new CheckpointException("checkpoint " + checkpoint.prefix() + " cannot be restored: " + path
          + " is the sidecar of step " + sidecar.step() + ", not " + checkpoint.step());
    }
  }

  /**
   * Uploads a checkpoint staged locally and commits it. Called by one thread at a time: the
   * caller of {@code save} (synchronous) or the background thread (async).
   */
  private void commit(Checkpoint checkpoint, Path staging, String localPrefix, long saveStartedNanos) {
    long started = System.nanoTime();
    String name = StoragePaths.fileName(checkpoint.prefix());
    Committed current = committed;
    verifyOwnership(current);
    if (current.checkpoints().stream().anyMatch(c -> c.step() == checkpoint.step())) {
      current = unlist(current, checkpoint.step());
    }
    MetricsSidecar sidecar =
        new MetricsSidecar(checkpoint.step(), checkpoint.timestampSeconds(), checkpoint.metrics());
    // One batch: all durable before the state file names them, forced together (cheaper than
    // one by one on a local disk, where a sweep's frequent small checkpoints are mostly fsyncs).
    storage.writeAll(List.of(
        PendingObject.ofBytes(checkpoint.prefix() + CheckpointFiles.METRICS, sidecar.toBytes()),
        PendingObject.ofFile(Path.of(localPrefix + CheckpointFiles.SINGLE_DATA_SHARD),
            checkpoint.prefix() + CheckpointFiles.SINGLE_DATA_SHARD),
        PendingObject.ofFile(Path.of(localPrefix + CheckpointFiles.INDEX), checkpoint.prefix() + CheckpointFiles.INDEX),
        PendingObject.ofBytes(checkpoint.prefix() + CheckpointFiles.META, metaGraph)));

    List<Checkpoint> candidates = new ArrayList<>(current.checkpoints());
    candidates.add(checkpoint);
    RetentionPlan plan =
        retention.plan(candidates, new PreservationContext(checkpoint.timestamp(), current.lastPreserved()));
    committed = writeState(current, plan.keep(), plan.lastPreserved());
    Duration sinceSave = Duration.ofNanos(System.nanoTime() - saveStartedNanos);
    for (Checkpoint dropped : plan.delete()) {
      try {
        deleteCheckpointFiles(dropped);
      } catch (StorageException e) {
        // Committed already. The leftovers are unlisted and keep their sidecar (deleted last), so
        // the next open for writing collects them (see OrphanCollector for the one exception).
        LOG.warn("could not delete {} after retention dropped it: {}", dropped.prefix(), e.getMessage());
      }
    }
    LOG.debug("committed {} in {} ms", name, Duration.ofNanos(System.nanoTime() - started).toMillis());
    options.commitListener().ifPresent(listener -> notifyCommitted(listener, checkpoint, sinceSave));
  }

  private static void notifyCommitted(
      CheckpointCommitListener listener, Checkpoint checkpoint, Duration sinceSave) {
    try {
      listener.committed(checkpoint, sinceSave);
    } catch (RuntimeException e) {
      // The checkpoint is durable whatever a listener does; its failure must not fail the save.
      LOG.warn("commit listener failed on {}: {}", checkpoint.prefix(), e.toString(), e);
    }
  }

  /** Commits a state without {@code step}, before its files are overwritten. */
  private Committed unlist(Committed current, long step) {
    List<Checkpoint> remaining =
        current.checkpoints().stream().filter(c -> c.step() != step).toList();
    Committed next = writeState(current, remaining, current.lastPreserved());
    committed = next;
    return next;
  }

  private Committed writeState(Committed current, List<Checkpoint> keep, Instant lastPreserved) {
    List<String> names = keep.stream().map(c -> CheckpointCatalog.relative(c.prefix(), directory)).toList();
    CheckpointState state =
        new CheckpointState(
            names.isEmpty() ? "" : names.get(names.size() - 1),
            names,
            keep.stream().map(Checkpoint::timestampSeconds).toList(),
            Timestamps.toSeconds(lastPreserved));
    byte[] bytes = state.toBytes();
    long generation = verifyOwnership(current);
    if (!storage.compareAndSet(statePath, bytes, generation)) {
      throw lostRace();
    }
    return new Committed(keep, lastPreserved, bytes);
  }

  /**
   * Checks that the state file still holds what this manager last read or wrote, and returns its
   * generation for the compare-and-set.
   */
  private long verifyOwnership(Committed current) {
    Optional<VersionedBytes> now = storage.readVersioned(statePath);
    byte[] expected = current.stateBytes();
    boolean same =
        now.isEmpty() ? expected == null : expected != null && Arrays.equals(expected, now.get().data());
    if (!same) {
      throw lostRace();
    }
    return now.map(VersionedBytes::generation).orElse(StorageObject.NO_GENERATION);
  }

  private ConcurrentWriterException lostRace() {
    return new ConcurrentWriterException(
        "lost the compare-and-set on " + statePath + ": another writer changed it since this manager"
            + " last read it; only one writer may own checkpoint directory " + directory);
  }

  private void deleteCheckpointFiles(Checkpoint checkpoint) {
    String name = StoragePaths.fileName(checkpoint.prefix());
    List<String> present =
        storage.list(checkpoint.prefix() + ".").stream()
            .map(o -> StoragePaths.fileName(o.path()))
            .filter(f -> CheckpointFiles.parse(f).map(p -> p.checkpointName().equals(name)).orElse(false))
            .toList();
    OrphanCollector.deleteFiles(storage, directory, present, name);
  }

  private void flushIfAsync() {
    if (async != null) {
      async.flush();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("checkpoint manager for " + directory + " is closed");
    }
  }
}
