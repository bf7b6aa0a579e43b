package io.beamtrain.pipelines.options;

import io.beamtrain.checkpointing.storage.GcsRetrySettings;
import io.beamtrain.checkpointing.storage.StorageConfig;
import java.time.Duration;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Turns {@link StorageOptions} into beamtrain's {@link StorageConfig} and points Beam's own GCS
 * file system ({@code GcsUtil}) at the same endpoint with the same credentials choice, so that a
 * pipeline's TextIO/TFRecordIO and its checkpoints see one and the same store.
 */
public final class StorageSetup {
  /** Beam's {@code GcsUtil} wants the endpoint with the JSON API's service path. */
  static final String BEAM_SERVICE_PATH = "/storage/v1/";

  private StorageSetup() {}

  /**
   * The storage config these options describe. Bad values fail with an {@link
   * IllegalArgumentException} naming the flag.
   */
  public static StorageConfig storageConfig(StorageOptions options) {
    String endpoint = options.getGcsEndpoint();
    StorageConfig base;
    try {
      base =
          endpoint != null && !endpoint.isBlank() && options.getGcsNoCredentials()
              ? StorageConfig.forEndpoint(endpoint)
              : new StorageConfig(
                  endpoint,
                  options.getProject(),
                  options.getGcsNoCredentials(),
                  StorageConfig.DEFAULT_RESUMABLE_THRESHOLD);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--gcsEndpoint: " + e.getMessage(), e);
    }
    if (options.getGcsResumableThresholdBytes() <= 0) {
      throw new IllegalArgumentException(
          "--gcsResumableThresholdBytes must be positive, was "
              + options.getGcsResumableThresholdBytes());
    }
    StorageConfig config =
        base.withResumableThresholdBytes(options.getGcsResumableThresholdBytes());
    Integer timeout = options.getGcsRetryTimeoutSeconds();
    if (timeout != null) {
      if (timeout <= 0) {
        throw new IllegalArgumentException(
            "--gcsRetryTimeoutSeconds must be positive, was " + timeout);
      }
      GcsRetrySettings retry = config.retry().withTotalTimeout(Duration.ofSeconds(timeout));
      config = config.withRetry(retry);
    }
    return config;
  }

  /**
   * Points Beam's GCS file system at the configured endpoint (in the form {@code GcsUtil} expects,
   * {@code http://host:port/storage/v1/}), switches Beam to no credentials when asked, and
   * registers the options with {@link FileSystems} so gs:// works outside a running pipeline too.
   * Call before anything has used the options' {@code GcsUtil}. Returns the storage config.
   */
  public static StorageConfig apply(StorageOptions options) {
    StorageConfig config = storageConfig(options);
    if (config.gcsEndpoint() != null) {
      options.setGcsEndpoint(config.gcsEndpoint() + BEAM_SERVICE_PATH);
    }
    if (options.getGcsNoCredentials()) {
      options.setCredentialFactoryClass(NoopCredentialFactory.class);
      if (options.getProject() == null && config.projectId() != null) {
        options.setProject(config.projectId());
      }
    }
    FileSystems.setDefaultPipelineOptions(options);
    return config;
  }
}
