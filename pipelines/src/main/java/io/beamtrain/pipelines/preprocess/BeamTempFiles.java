package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporary files that the shard parts ({@link SplitParts}) and Beam's file sink ({@link
 * WriteRejected}) write under the data directory before renaming them into place: {@code
 * <dir>/.temp-beam/<uuid>}, one per part or bundle. A run that finishes removes them; a run that is killed leaves them (megabytes each),
 * and nothing else ever would, so the next run over the same output removes what is left.
 *
 * <p>Only what this tool's writes create is touched: objects directly in the {@code .temp-beam}
 * directory of {@code data/} or {@code data/rejected/} whose name is a UUID, the names Beam gives
 * its bundle files. Goes through the project's Storage layer, so it works on local disks and
 * {@code gs://} alike. Two runs writing one output at once are not supported anyway (each would
 * overwrite the other's shards), so a leftover is never a live file of another run.
 */
final class BeamTempFiles {
  /** The directory Beam's file sinks write their bundle files to, under their output directory. */
  static final String DIRECTORY = ".temp-beam";

  private static final Logger LOG = LoggerFactory.getLogger(BeamTempFiles.class);
  private static final Pattern BUNDLE_FILE =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private BeamTempFiles() {}

  /** The directories whose Beam temporary files preprocessing owns. */
  static List<String> sinkDirectories(String dataDir) {
    return List.of(dataDir, StoragePaths.join(dataDir, WriteRejected.DIRECTORY));
  }

  /** Removes the leftover bundle files of earlier runs; returns how many there were. */
  static int removeLeftovers(String dataDir, StorageConfig config) {
    int removed = 0;
    for (String sinkDir : sinkDirectories(dataDir)) {
      String prefix = StoragePaths.asPrefix(StoragePaths.join(sinkDir, DIRECTORY));
      var storage = Storages.forPath(prefix, config);
      for (StorageObject object : storage.list(prefix)) {
        // Listed paths may be absolute where the prefix is relative: go by the names.
        String parent = StoragePaths.parent(object.path());
        boolean direct = StoragePaths.fileName(parent).equals(DIRECTORY);
        if (direct
            && BUNDLE_FILE.matcher(StoragePaths.fileName(object.path())).matches()
            && storage.delete(object.path())) {
          removed++;
        }
      }
      removeEmptyLocalDirectory(sinkDir);
    }
    if (removed > 0) {
      LOG.info("Removed {} temporary files a previous, unfinished run left under {}", removed,
          dataDir);
    }
    return removed;
  }

  /**
   * Removes {@code <sinkDir>/.temp-beam} on a local disk when it is empty (an object store has no
   * directories); Beam's sinks leave the emptied directory behind.
   */
  static void removeEmptyLocalDirectory(String sinkDir) {
    if (StoragePaths.isGcs(sinkDir)) {
      return;
    }
    try {
      Files.deleteIfExists(Paths.get(sinkDir, DIRECTORY));
    } catch (DirectoryNotEmptyException e) {
      LOG.debug("{} still holds other files; left in place", Paths.get(sinkDir, DIRECTORY));
    } catch (IOException e) {
      LOG.debug("cannot remove {}: {}", Paths.get(sinkDir, DIRECTORY), e.toString());
    }
  }
}
