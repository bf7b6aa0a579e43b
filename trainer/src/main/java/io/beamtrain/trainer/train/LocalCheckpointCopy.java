package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

/**
 * A checkpoint prefix TensorFlow can read: TensorFlow only ever touches local paths here, so a
 * {@code gs://} checkpoint's {@code .index} and data shards are downloaded to a temporary
 * directory, which {@link #close()} deletes; a local prefix is used in place.
 */
public final class LocalCheckpointCopy implements AutoCloseable {
  private final String localPrefix;
  private final Path staging;

  private LocalCheckpointCopy(String localPrefix, Path staging) {
    this.localPrefix = localPrefix;
    this.staging = staging;
  }

  /**
   * A local copy of the checkpoint at {@code prefix}; a prefix without an {@code .index} is a
   * BadInputException naming it.
   */
  public static LocalCheckpointCopy of(String prefix, StorageConfig config) {
    Storage storage = Storages.forPath(prefix, config);
    String index = prefix + ".index";
    if (!storage.exists(index)) {
      throw new BadInputException("checkpoint " + prefix + " not found: no " + index);
    }
    if (!StoragePaths.isGcs(prefix)) {
      return new LocalCheckpointCopy(prefix, null);
    }
    Path staging;
    try {
      staging = Files.createTempDirectory("beamtrain-checkpoint-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a staging directory for " + prefix, e);
    }
    try {
      String name = StoragePaths.fileName(prefix);
      for (StorageObject object : storage.list(prefix + ".")) {
        String file = StoragePaths.fileName(object.path());
        if (file.equals(name + ".index") || file.startsWith(name + ".data-")) {
          storage.download(object.path(), staging.resolve(file));
        }
      }
      return new LocalCheckpointCopy(staging.resolve(name).toString(), staging);
    } catch (RuntimeException e) {
      deleteRecursively(staging);
      throw e;
    }
  }

  /** The prefix to hand TensorFlow. */
  public String localPrefix() {
    return localPrefix;
  }

  @Override
  public void close() {
    if (staging != null) {
      deleteRecursively(staging);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir, e);
    }
  }
}
