package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Replaces the checkpoints of one directory with a copy of another directory's latest committed
 * checkpoint (population-based training's exploit), on local disk and {@code gs://} alike, under
 * the commit protocol of {@link CheckpointManager}: the target becomes a directory whose only
 * committed checkpoint is the copy, or, if the copy is interrupted, one with no committed
 * checkpoint at all, never a mix.
 *
 * <ol>
 *   <li>the target's state file is deleted, so none of its checkpoints is committed any more (a
 *       listed checkpoint's files are never overwritten in place);
 *   <li>every file of the source checkpoint ({@code .index}, data shards, {@code .meta}, the
 *       metrics sidecar, which keep-best retention reads) is copied to the same name in the target,
 *       each write atomic;
 *   <li>the state file listing only the copy is created if absent (a GCS generation precondition):
 *       only now is the copy a checkpoint.
 * </ol>
 *
 * Running it again after a crash at any point gives the same result, so a caller that records
 * its decision first can simply re-run it. The target's older files are orphans that {@link
 * CheckpointManager#open} collects. Neither directory may be written by anyone else meanwhile
 * (the trials involved are between two training stages); a writer that commits in between makes
 * the last step fail with {@link ConcurrentWriterException}.
 */
public final class CheckpointTransplant {
  private CheckpointTransplant() {}

  /**
   * Copies the latest committed checkpoint of {@code sourceDir} into {@code targetDir} as the
   * target's only committed checkpoint; returns the copy.
   *
   * @throws CheckpointException when {@code sourceDir} has no committed checkpoint
   */
  public static Checkpoint copyLatest(String sourceDir, String targetDir, StorageConfig config) {
    String from = CheckpointCatalog.normalize(sourceDir);
    String to = CheckpointCatalog.normalize(targetDir);
    Checkpoint source = CheckpointManager.latestCheckpoint(from, config)
        .orElseThrow(() -> new CheckpointException(from + " has no committed checkpoint to copy"));
    String name = source.prefix().substring(source.prefix().lastIndexOf('/') + 1);
    Storage in = Storages.forPath(from, config);
    Storage out = Storages.forPath(to, config);
    String statePath = StoragePaths.join(to, CheckpointState.FILE_NAME);
    out.delete(statePath);
    String filePrefix = source.prefix() + ".";
    List<StorageObject> files = in.list(filePrefix);
    for (StorageObject file : files) {
      copy(in, file.path(), out, StoragePaths.join(to, name + "." + file.path().substring(filePrefix.length())));
    }
    double seconds = Timestamps.toSeconds(source.timestamp());
    CheckpointState state = new CheckpointState(name, List.of(name), List.of(seconds), seconds);
    if (!out.compareAndSet(statePath, state.toBytes(), StorageObject.NO_GENERATION)) {
      throw new ConcurrentWriterException(statePath + " was written by another writer while "
          + source.prefix() + " was copied into " + to);
    }
    Instant time = source.timestamp();
    return new Checkpoint(source.step(), StoragePaths.join(to, name), time, source.metrics());
  }

  private static void copy(Storage in, String from, Storage out, String to) {
    try (InputStream read = in.openRead(from);
        OutputStream write = out.openWrite(to)) {
      read.transferTo(write);
    } catch (IOException e) {
      throw new UncheckedIOException("copying " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }
}
