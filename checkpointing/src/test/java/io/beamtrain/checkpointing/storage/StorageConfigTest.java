package io.beamtrain.checkpointing.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StorageConfigTest {

  @ParameterizedTest
  @CsvSource({
    "http://127.0.0.1:4443, http://127.0.0.1:4443",
    "http://127.0.0.1:4443/, http://127.0.0.1:4443",
    "http://127.0.0.1:4443/storage/v1/, http://127.0.0.1:4443",
    "https://storage.example.com/storage/v1, https://storage.example.com",
  })
  void endpointsAreNormalizedToTheApiRoot(String given, String expected) {
    assertEquals(expected, StorageConfig.forEndpoint(given).gcsEndpoint());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://host", "127.0.0.1:4443", "http://host/other/path", "not a url"})
  void badEndpointsNameTheSetting(String bad) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StorageConfig.forEndpoint(bad));
    assertTrue(e.getMessage().contains("gcsEndpoint"), e.getMessage());
    assertTrue(e.getMessage().contains(bad), e.getMessage());
  }

  @Test
  void badSizesAreRejectedQuotingTheValue() {
    StorageConfig c = StorageConfig.forEndpoint("http://h:1");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> c.withUploadChunkBytes(1000))
            .getMessage()
            .contains("1000"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> c.withListPageSize(1001))
            .getMessage()
            .contains("1001"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> c.withResumableThresholdBytes(0))
            .getMessage()
            .contains("resumableThresholdBytes"));
    assertThrows(IllegalArgumentException.class, () -> c.retry().withTotalTimeout(Duration.ZERO));
  }

  @Test
  void defaultsAreRealGcsAndTheTestEndpointSendsNoCredentials() {
    StorageConfig real =
        new StorageConfig(null, null, false, StorageConfig.DEFAULT_RESUMABLE_THRESHOLD);
    assertNull(real.gcsEndpoint());
    assertEquals("https://storage.googleapis.com", real.effectiveGcsEndpoint());
    assertEquals(GcsRetrySettings.defaults(), real.retry());
    StorageConfig test = StorageConfig.forEndpoint("http://127.0.0.1:9");
    assertTrue(test.noCredentials());
    assertEquals(GcsRetrySettings.localServer(), test.retry());
    assertFalse(real.noCredentials());
  }

  @Test
  void survivesJavaSerializationForBeamWorkers() throws Exception {
    StorageConfig c =
        StorageConfig.forEndpoint("http://127.0.0.1:4443")
            .withListPageSize(7)
            .withUploadChunkBytes(512 << 10);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(c, in.readObject());
    }
  }
}
