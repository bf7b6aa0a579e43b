package io.beamtrain.checkpointing.storage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the storage backend for a path from its scheme, as TensorFlow's gfile does: {@code gs://}
 * goes to {@link GcsStorage}, everything else to {@link LocalStorage}. GCS clients are costly to
 * build, so one is kept per {@link StorageConfig}.
 */
public final class Storages {
  private static final LocalStorage LOCAL = new LocalStorage();
  private static final Map<StorageConfig, GcsStorage> GCS = new ConcurrentHashMap<>();

  private Storages() {}

  public static Storage forPath(String path, StorageConfig config) {
    if (StoragePaths.isGcs(path)) {
      return GCS.computeIfAbsent(config, GcsStorage::new);
    }
    return LOCAL;
  }

  public static Storage forPath(String path) {
    return forPath(path, StorageConfig.defaults());
  }
}
