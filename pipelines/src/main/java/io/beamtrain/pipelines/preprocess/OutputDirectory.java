package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Checks, before any work, that a local {@code --output} can hold the data directory: the
 * nearest part of {@code <output>/data} that exists must be a directory. Without the check an
 * output that is a file fails only when the first worker writes, as "Not a directory", exit
 * status 1. A {@code gs://} output needs no check: an object store has no directories, and an
 * object named like the output prefix does not stop objects under it.
 */
final class OutputDirectory {
  private OutputDirectory() {}

  /** @throws IllegalArgumentException naming the flag and the file in the way */
  static void check(String output, String dataDir) {
    if (StoragePaths.isGcs(dataDir)) {
      return;
    }
    for (Path path = Paths.get(dataDir).toAbsolutePath(); path != null; path = path.getParent()) {
      if (Files.isDirectory(path)) {
        return;
      }
      if (Files.exists(path)) {
        throw new IllegalArgumentException(
            "--output=" + output + ": " + (path.equals(Paths.get(output).toAbsolutePath())
                ? "is an existing file, not a directory"
                : path + " is a file, not a directory"));
      }
    }
  }
}
