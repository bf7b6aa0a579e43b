package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StoragePaths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the files of checkpoints that a crashed writer left behind, when a directory is opened
 * for writing. It never touches a checkpoint the state file lists, nor one it cannot prove is
 * garbage. A checkpoint not listed is an orphan when it has beamtrain's metrics sidecar (written
 * first by every save, deleted last by every deletion, so every file set beamtrain leaves has
 * one) and either
 *
 * <ul>
 *   <li>it is incomplete (an interrupted save or deletion), or
 *   <li>it was saved after {@code last_preserved_timestamp} (a save that never committed).
 * </ul>
 *
 * Complete unlisted checkpoints saved at or before {@code last_preserved_timestamp} are the ones
 * keep-every-N-hours preserves (unlisted, as Python does) and are kept, as are files without a
 * sidecar (written by another tool). With a corrupt state file nothing is collected.
 */
final class OrphanCollector {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanCollector.class);

  private OrphanCollector() {}

  /** Returns the names of the checkpoints whose files were deleted. */
  static List<String> collect(Storage storage, CheckpointCatalog catalog) {
    if (catalog.corruption.isPresent()) {
      LOG.warn("not collecting orphan checkpoints in {}: its state file is corrupt", catalog.directory);
      return List.of();
    }
    Instant lastPreserved =
        catalog.state.map(s -> Timestamps.fromSeconds(s.lastPreservedTimestamp())).orElse(Instant.MIN);
    Set<String> listed = new HashSet<>(catalog.listedNames);
    List<String> collected = new ArrayList<>();
    for (String name : catalog.listing.names()) {
      if (listed.contains(name)) {
        continue;
      }
      List<String> files = catalog.listing.files(name);
      if (!files.contains(name + CheckpointFiles.METRICS)) {
        LOG.debug("leaving {} in {}: no beamtrain sidecar, not ours", name, catalog.directory);
        continue;
      }
      boolean complete = catalog.listing.isComplete(name);
      Optional<MetricsSidecar> sidecar =
          CheckpointCatalog.sidecar(storage, catalog.directory, catalog.listing, name);
      boolean preserved =
          complete && sidecar.isPresent() && !sidecar.get().instant().isAfter(lastPreserved);
      if (preserved) {
        LOG.debug("leaving {}: preserved by keep-every-N-hours (saved {}, last preserved {})",
            name, sidecar.get().instant(), lastPreserved);
        continue;
      }
      LOG.info("deleting orphan checkpoint {} in {} ({}, not in the state file)",
          name, catalog.directory, complete ? "saved but never committed" : "incomplete");
      deleteFiles(storage, catalog.directory, files, name);
      collected.add(name);
    }
    return collected;
  }

  static void deleteFiles(Storage storage, String directory, List<String> present, String name) {
    for (String file : CheckpointFiles.deletionOrder(present, name)) {
      storage.delete(StoragePaths.join(directory, file));
    }
  }
}
