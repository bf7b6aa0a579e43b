package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointException;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.CheckpointManagerOptions;
import io.beamtrain.checkpointing.CheckpointState;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.TrialSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trial's checkpoints through {@link CheckpointManager}: the latest {@code maxCheckpointsToKeep}
 * plus the best one by the trial's metric (the one {@link BestCheckpoint} tracks, so {@code
 * best_step} always has a checkpoint), written in the background when {@code asyncCheckpoints}.
 *
 * <p>The manager is opened only when the directory already holds a checkpoint (to resume) or at
 * the first save: opening for writing touches the directory (lock file, orphan collection), and a
 * trial that fails before its first checkpoint must leave nothing behind.
 *
 * <p>Commits (reported by the manager, from its background thread when async) queue up until
 * {@link #drainCommitted} hands them to the training thread. Not thread-safe, except that queue.
 */
public final class TrialCheckpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrialCheckpoints.class);

  private final TrialSpec spec;
  private final TrainingSession session;
  private final boolean existed;
  /** Committed checkpoints not drained yet: step and time from save to commit. */
  private final Queue<Map.Entry<Long, Duration>> commits = new ConcurrentLinkedQueue<>();
  private CheckpointManager manager;

  public TrialCheckpoints(TrialSpec spec, TrainingSession session) {
    this.spec = spec;
    this.session = session;
    // Look for the state file first: a versioned read of a local path creates a lock file.
    String state = StoragePaths.join(spec.trialDir(), CheckpointState.FILE_NAME);
    this.existed =
        Storages.forPath(state, spec.storageConfig()).exists(state)
            && CheckpointManager.latestCheckpoint(spec.trialDir(), spec.storageConfig()).isPresent();
  }

  /**
   * Restores the newest committed checkpoint that restores cleanly: a damaged one (missing,
   * truncated or garbage files, a sidecar that does not parse) is skipped with a warning naming
   * its files, and the next older one tried. Empty when there is none, or none restores (warned:
   * the trial then starts from step 0, and the session's variables are uninitialised or at their
   * initial values).
   */
  public Optional<Checkpoint> restoreNewest() {
    if (!existed) {
      return Optional.empty();
    }
    List<Checkpoint> all = manager().all();
    for (int i = all.size() - 1; i >= 0; i--) {
      Checkpoint candidate = all.get(i);
      try {
        manager().restore(session.session(), candidate.step());
        return Optional.of(candidate);
      } catch (CheckpointException e) {
        LOG.warn("{}: {}; trying an older checkpoint", spec.trialId(), e.getMessage());
      }
    }
    LOG.warn("{}: none of the {} committed checkpoints in {} restores; starting from step 0",
        spec.trialId(), all.size(), spec.trialDir());
    return Optional.empty();
  }

  /** The committed checkpoints, oldest first, with their metrics; empty before the first save. */
  public List<Checkpoint> committed() {
    return manager == null && !existed ? List.of() : manager().all();
  }

  /** Saves the session's variables as checkpoint {@code step} carrying {@code metrics}. */
  public void save(long step, Map<String, Double> metrics) {
    manager().save(session.session(), step, metrics);
  }

  private CheckpointManager manager() {
    if (manager == null) {
      manager =
          CheckpointManager.open(
              spec.trialDir(),
              session.saver(),
              session.graph(),
              session.recordedGraph(),
              session.graphCollections(),
              CheckpointManagerOptions.builder()
                  .maxToKeep(spec.maxCheckpointsToKeep())
                  .keepBest(1, spec.metric().name(), spec.metric().goal())
                  .async(spec.asyncCheckpoints())
                  .commitListener((checkpoint, sinceSave) -> commits.add(Map.entry(checkpoint.step(), sinceSave)))
                  .build(),
              spec.storageConfig());
    }
    return manager;
  }

  /**
   * Hands each checkpoint committed since the last call, oldest first, to {@code committed} (its
   * time from save to commit, and its step), on the calling thread.
   */
  public void drainCommitted(ObjLongConsumer<Duration> committed) {
    Map.Entry<Long, Duration> next;
    while ((next = commits.poll()) != null) {
      committed.accept(next.getValue(), next.getKey());
    }
  }

  /** Waits for background saves, so every checkpoint saved so far is committed. */
  public void flush() {
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
