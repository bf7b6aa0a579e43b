package io.beamtrain.pipelines.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.GcsRetrySettings;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StorageSetup;
import java.time.Duration;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class StorageSetupTest {

  @Test
  void aTestEndpointWithoutCredentialsConfiguresBothStorageStacks() {
    StorageOptions options =
        PipelineOptionsFactory.fromArgs(
                "--gcsEndpoint=http://127.0.0.1:4443", "--gcsNoCredentials",
                "--gcsResumableThresholdBytes=1048576", "--gcsRetryTimeoutSeconds=3")
            .as(StorageOptions.class);
    StorageConfig config = StorageSetup.apply(options);

    assertEquals("http://127.0.0.1:4443", config.gcsEndpoint());
    assertTrue(config.noCredentials());
    assertEquals(1 << 20, config.resumableThresholdBytes());
    assertEquals(Duration.ofSeconds(3), config.retry().totalTimeout());
    assertEquals(GcsRetrySettings.localServer().initialDelay(), config.retry().initialDelay());
    // Beam's GcsUtil splits root and service path out of this URL.
    assertEquals("http://127.0.0.1:4443/storage/v1/", options.getGcsEndpoint());
    assertEquals(NoopCredentialFactory.class, options.getCredentialFactoryClass());
    assertEquals(config, StorageSetup.apply(options), "apply must be idempotent");
  }

  @Test
  void withoutFlagsItIsRealGcsWithCredentials() {
    StorageOptions options = PipelineOptionsFactory.create().as(StorageOptions.class);
    StorageConfig config = StorageSetup.storageConfig(options);
    assertNull(config.gcsEndpoint());
    assertFalse(config.noCredentials());
    assertEquals(GcsRetrySettings.defaults(), config.retry());
  }
}
