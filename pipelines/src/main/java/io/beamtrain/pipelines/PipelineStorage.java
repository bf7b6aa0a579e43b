package io.beamtrain.pipelines;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StorageSetup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The storage configuration (GCS endpoint, credentials) a pipeline's options ask for. The first
 * call for an options instance applies {@link StorageSetup} (which also points Beam's own GCS file
 * system at the endpoint, and must run only once per instance); later calls, e.g. {@code demo}
 * handing its options to {@code train}, get the same config. Thread-safe.
 */
public final class PipelineStorage {
  private static final Map<Long, StorageConfig> APPLIED = new ConcurrentHashMap<>();

  private PipelineStorage() {}

  public static StorageConfig config(PipelineOptions options) {
    return APPLIED.computeIfAbsent(
        options.getOptionsId(), id -> StorageSetup.apply(options.as(StorageOptions.class)));
  }
}
