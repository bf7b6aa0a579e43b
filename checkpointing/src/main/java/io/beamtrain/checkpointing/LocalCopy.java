package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A checkpoint made readable by TensorFlow, which reads local paths only here: a local checkpoint
 * is used where it is; a gs:// one is downloaded ({@code .index} and data shards) into a temporary
 * directory that {@link #close()} deletes.
 */
final class LocalCopy implements AutoCloseable {
  private final String localPrefix;
  private final Path tempDirectory;

  private LocalCopy(String localPrefix, Path tempDirectory) {
    this.localPrefix = localPrefix;
    this.tempDirectory = tempDirectory;
  }

  static LocalCopy of(Storage storage, String prefix, Path stagingRoot) {
    if (!StoragePaths.isGcs(prefix)) {
      return new LocalCopy(prefix, null);
    }
    String name = StoragePaths.fileName(prefix);
    List<StorageObject> files =
        storage.list(prefix + ".").stream()
            .filter(o -> isTensorFlowFile(StoragePaths.fileName(o.path()), name))
            .toList();
    if (files.stream().noneMatch(o -> o.path().equals(prefix + CheckpointFiles.INDEX))) {
      throw new CheckpointException("no checkpoint at " + prefix + ": " + prefix + ".index does not exist");
    }
    Path dir = createTempDirectory(stagingRoot, "beamtrain-restore-");
    try {
      for (StorageObject file : files) {
        storage.download(file.path(), dir.resolve(StoragePaths.fileName(file.path())));
      }
      return new LocalCopy(dir.resolve(name).toString(), dir);
    } catch (RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
  }

  String localPrefix() {
    return localPrefix;
  }

  @Override
  public void close() {
    if (tempDirectory != null) {
      deleteRecursively(tempDirectory);
    }
  }

  private static boolean isTensorFlowFile(String fileName, String name) {
    return fileName.equals(name + CheckpointFiles.INDEX)
        || fileName.matches(java.util.regex.Pattern.quote(name) + "\\.data-\\d{5}-of-\\d{5}");
  }

  static Path createTempDirectory(Path root, String prefix) {
    try {
      Files.createDirectories(root);
      return Files.createTempDirectory(root, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a staging directory under " + root, e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete staging directory " + dir, e);
    }
  }
}
