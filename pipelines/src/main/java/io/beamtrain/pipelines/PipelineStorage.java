package io.beamtrain.pipelines;

import io.beamtrain.checkpointing.storage.StorageConfig;
import org.apache.beam.sdk.options.PipelineOptions;

/** The storage configuration (GCS endpoint, credentials) a pipeline's options ask for. */
public final class PipelineStorage {
  private PipelineStorage() {}

  public static StorageConfig config(PipelineOptions options) {
    return StorageConfig.defaults();
  }
}
