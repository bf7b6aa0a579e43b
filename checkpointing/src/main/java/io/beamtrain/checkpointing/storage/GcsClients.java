package io.beamtrain.checkpointing.storage;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.HttpStorageOptions;
import com.google.cloud.storage.StorageOptions;

/**
 * Builds the google-cloud-storage client (JSON API over HTTP) that a {@link StorageConfig} asks
 * for.
 */
final class GcsClients {
  private GcsClients() {}

  static com.google.cloud.storage.Storage create(StorageConfig config) {
    GcsRetrySettings r = config.retry();
    RetrySettings retrySettings =
        RetrySettings.newBuilder()
            .setInitialRetryDelayDuration(r.initialDelay())
            .setMaxRetryDelayDuration(r.maxDelay())
            .setRetryDelayMultiplier(2.0)
            .setTotalTimeoutDuration(r.totalTimeout())
            .setMaxAttempts(r.maxAttempts())
            .setInitialRpcTimeoutDuration(r.totalTimeout())
            .setMaxRpcTimeoutDuration(r.totalTimeout())
            .setRpcTimeoutMultiplier(1.0)
            .build();
    HttpStorageOptions.Builder builder =
        StorageOptions.http()
            .setRetrySettings(retrySettings)
            .setStorageRetryStrategy(new FailFastRetryStrategy())
            .setTransportOptions(
                HttpTransportOptions.newBuilder()
                    .setConnectTimeout(Math.toIntExact(r.connectTimeout().toMillis()))
                    .setReadTimeout(Math.toIntExact(r.readTimeout().toMillis()))
                    .build());
    if (config.gcsEndpoint() != null) {
      builder.setHost(config.gcsEndpoint());
    }
    if (config.projectId() != null) {
      builder.setProjectId(config.projectId());
    }
    if (config.noCredentials()) {
      builder.setCredentials(NoCredentials.getInstance());
    }
    return builder.build().getService();
  }
}
