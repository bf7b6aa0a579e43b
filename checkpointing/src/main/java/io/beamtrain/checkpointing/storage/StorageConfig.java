package io.beamtrain.checkpointing.storage;

import java.io.Serializable;

/**
 * How to reach storage backends. Serializable so Beam DoFns can carry it to workers.
 *
 * @param gcsEndpoint JSON API root, e.g. {@code http://127.0.0.1:4443}; null for real GCS
 * @param projectId GCP project for the client; null lets the client find it
 * @param noCredentials true to send no credentials (the in-process test server)
 * @param resumableThresholdBytes objects at least this large are uploaded resumably
 */
public record StorageConfig(
    String gcsEndpoint, String projectId, boolean noCredentials, long resumableThresholdBytes)
    implements Serializable {

  public static final String ENDPOINT_ENV = "BEAMTRAIN_GCS_ENDPOINT";
  public static final String ENDPOINT_PROPERTY = "beamtrain.gcs.endpoint";
  public static final long DEFAULT_RESUMABLE_THRESHOLD = 8L << 20;

  public StorageConfig {
    if (resumableThresholdBytes <= 0) {
      throw new IllegalArgumentException(
          "resumableThresholdBytes must be positive, was " + resumableThresholdBytes);
    }
  }

  /**
   * Real GCS with application-default credentials, unless the {@value #ENDPOINT_PROPERTY} system
   * property or {@value #ENDPOINT_ENV} environment variable names another endpoint (then no
   * credentials are sent).
   */
  public static StorageConfig defaults() {
    String endpoint = System.getProperty(ENDPOINT_PROPERTY);
    if (endpoint == null || endpoint.isBlank()) {
      endpoint = System.getenv(ENDPOINT_ENV);
    }
    if (endpoint == null || endpoint.isBlank()) {
      return new StorageConfig(null, null, false, DEFAULT_RESUMABLE_THRESHOLD);
    }
    return forEndpoint(endpoint);
  }

  /** A config for a GCS-compatible endpoint without credentials (the test server). */
  public static StorageConfig forEndpoint(String endpoint) {
    return new StorageConfig(endpoint, "test-project", true, DEFAULT_RESUMABLE_THRESHOLD);
  }

  public StorageConfig withResumableThresholdBytes(long bytes) {
    return new StorageConfig(gcsEndpoint, projectId, noCredentials, bytes);
  }
}
