package io.beamtrain.pipelines.predict;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.serving.ServingModel;
import java.util.HashMap;
import java.util.Map;

/**
 * One loaded {@link ServingModel} per model path and JVM, shared by every DoFn instance and thread
 * that scores with it: a SavedModel holds its variables in native memory and takes seconds to
 * load, so loading one per DoFn instance (the runner may create one per thread) would multiply
 * both. Reference counted: DoFns {@link #acquire} in {@code @Setup} and {@link #release} in
 * {@code @Teardown}; the last release closes the model (and its session, graph and any downloaded
 * gs:// copy). Thread-safe; {@link ServingModel#predict} itself allows concurrent calls.
 */
public final class SharedServingModels {
  private record Key(String path, StorageConfig config) {}

  private static final class Entry {
    final ServingModel model;
    int users;

    Entry(ServingModel model) {
      this.model = model;
    }
  }

  private static final Map<Key, Entry> MODELS = new HashMap<>();

  private SharedServingModels() {}

  /** The model at {@code path}, loaded by the first caller; pair with {@link #release}. */
  public static synchronized ServingModel acquire(String path, StorageConfig config) {
    Entry entry = MODELS.computeIfAbsent(new Key(path, config), k -> new Entry(ServingModel.load(path, config)));
    entry.users++;
    return entry.model;
  }

  /** Drops one use of the model; the last one closes it. */
  public static synchronized void release(String path, StorageConfig config) {
    Key key = new Key(path, config);
    Entry entry = MODELS.get(key);
    if (entry != null && --entry.users == 0) {
      MODELS.remove(key);
      entry.model.close();
    }
  }

  /** How many models are loaded now (for tests). */
  static synchronized int loadedCount() {
    return MODELS.size();
  }
}
