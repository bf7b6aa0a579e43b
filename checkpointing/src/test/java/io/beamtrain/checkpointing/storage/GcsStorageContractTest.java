package io.beamtrain.checkpointing.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.checkpointing.testing.RecordedRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on GCS, through the real google-cloud-storage client against the in-process
 * {@link GcsTestServer}, with the resumable threshold at 1 MiB and listing pages of 2 objects so
 * the large-object and paging paths run on small data.
 */
class GcsStorageContractTest extends StorageContractTest {
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static GcsTestServer server;
  private static GcsStorage storage;
  private String bucket;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    storage =
        new GcsStorage(
            server
                .storageConfig()
                .withResumableThresholdBytes(1 << 20)
                .withUploadChunkBytes(256 << 10)
                .withListPageSize(2));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    bucket = "contract-" + BUCKETS.incrementAndGet();
    server.createBucket(bucket);
    server.clearRequests();
  }

  @Override
  Storage storage() {
    return storage;
  }

  @Override
  String root() {
    return "gs://" + bucket + "/root";
  }

  @Override
  void assertLargeUploadWasResumable(String path) {
    String name = path.substring(("gs://" + bucket + "/").length());
    List<RecordedRequest> starts =
        server.requests(r -> r.isResumableStart() && name.equals(r.param("name")));
    assertFalse(starts.isEmpty(), "no resumable session was started for " + path);
    assertTrue(
        server.requests(r -> r.isResumableChunk() && name.equals(r.param("name"))).size() >= 1);
  }

  @Override
  void assertOnlyObjectsAre(List<String> paths) {
    List<String> expected =
        paths.stream().map(p -> p.substring(("gs://" + bucket + "/").length())).toList();
    assertEquals(expected, server.objectNames(bucket), "marker objects were created");
    // No request ever looked at a "parent directory": every object request names the file itself.
    for (RecordedRequest r : server.requests()) {
      if (r.path().contains("/o/")) {
        String name = r.path().substring(r.path().indexOf("/o/") + 3);
        assertTrue(expected.contains(name), "request touched a parent: " + r);
      }
    }
  }

  @Test
  void everyWriteCarriesAGenerationPrecondition() {
    storage.writeBytes(path("p"), bytes("new"));
    storage.writeBytes(path("p"), bytes("replaced"));
    List<RecordedRequest> uploads =
        server.requests(r -> r.method().equals("POST") && r.path().startsWith("/upload/"));
    assertEquals(2, uploads.size());
    assertEquals("0", uploads.get(0).param("ifGenerationMatch"));
    String firstGeneration = uploads.get(1).param("ifGenerationMatch");
    assertTrue(Long.parseLong(firstGeneration) > 0, "overwrite must match the live generation");
  }

  @Test
  void smallWritesAreOneMultipartRequest() {
    storage.writeBytes(path("small"), bytes("small"));
    List<RecordedRequest> uploads = server.requests(r -> r.path().startsWith("/upload/"));
    assertEquals(1, uploads.size());
    assertEquals("multipart", uploads.get(0).param("uploadType"));
  }

  @Test
  void listingPagesThroughSmallPages() {
    for (int i = 0; i < 7; i++) {
      storage.writeBytes(path("paged/" + i), bytes("x"));
    }
    server.clearRequests();
    assertEquals(7, storage.list(path("paged/")).size());
    long listCalls =
        server.requests(r -> r.method().equals("GET") && r.path().endsWith("/o")).size();
    assertEquals(4, listCalls, "7 objects in pages of 2");
  }

  @Test
  void writesRecordTheirWriteIdInTheObjectMetadata() {
    storage.writeBytes(path("tagged"), bytes("x"));
    String id = server.metadata(bucket, "root/tagged").orElseThrow().get(GcsStorage.WRITE_ID_KEY);
    assertTrue(id != null && !id.isBlank());
  }
}
