package io.beamtrain.checkpointing.storage;

import static io.beamtrain.checkpointing.storage.StorageContractTest.bytes;
import static io.beamtrain.checkpointing.storage.StorageContractTest.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.testing.FaultRule;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.checkpointing.testing.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * GcsStorage under injected faults: transient errors are retried until every byte is stored, broken
 * uploads resume or fail leaving nothing visible, and errors that retrying cannot fix fail fast
 * with a message naming the path and the cause.
 */
class GcsStorageFaultTest {
  /** Generous bound for "fails fast": the client's own defaults would retry for minutes. */
  private static final Duration FAST = Duration.ofSeconds(15);

  private static final int MIB = 1 << 20;
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private static GcsTestServer server;
  private static StorageConfig config;
  private static GcsStorage storage;
  private String bucket;

  @TempDir Path temp;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    config =
        server.storageConfig().withResumableThresholdBytes(MIB).withUploadChunkBytes(256 << 10);
    storage = new GcsStorage(config);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    bucket = "faults-" + BUCKETS.incrementAndGet();
    server.createBucket(bucket);
    server.clearRequests();
  }

  @AfterEach
  void clearFaults() {
    server.clearFaults();
  }

  private String path(String name) {
    return "gs://" + bucket + "/" + name;
  }

  @Test
  void twentyInjected503sDuringAMultiFileWriteLeaveEveryByteIntact() throws IOException {
    GcsTestServer.ActiveFault fault =
        server.addFault(FaultRule.on("*", ".*").respond(503).times(20));
    Map<String, byte[]> written = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      written.put("ckpt/model.ckpt-" + i + ".index", randomBytes(1000 + i, i));
    }
    written.put("ckpt/model.ckpt-3.data-00000-of-00001", randomBytes(3 * MIB + 17, 42));
    written.put("ckpt/checkpoint", bytes("model_checkpoint_path: \"model.ckpt-3\"\n"));

    for (Map.Entry<String, byte[]> e : written.entrySet()) {
      if (e.getValue().length > MIB) {
        Path local = temp.resolve("data.bin");
        Files.write(local, e.getValue());
        storage.upload(local, path(e.getKey()));
      } else {
        storage.writeBytes(path(e.getKey()), e.getValue());
      }
    }
    // Overwrite one file too, so a replacing write meets 503s as well.
    server.addFault(FaultRule.on("POST", "/upload/.*").respond(503).times(3));
    written.put("ckpt/checkpoint", bytes("model_checkpoint_path: \"model.ckpt-4\"\n"));
    storage.writeBytes(path("ckpt/checkpoint"), written.get("ckpt/checkpoint"));

    assertEquals(20, fault.fired(), "all 20 faults must have hit the write sequence");
    for (Map.Entry<String, byte[]> e : written.entrySet()) {
      assertArrayEquals(
          e.getValue(), server.getObject(bucket, e.getKey()).orElseThrow(), e.getKey());
    }
    assertEquals(written.keySet().stream().sorted().toList(), server.objectNames(bucket));
  }

  @Test
  void aConnectionDroppedMidUploadResumesFromThePersistedOffset() throws IOException {
    byte[] data = randomBytes(4 * MIB, 7);
    Path local = temp.resolve("big.bin");
    Files.write(local, data);
    GcsTestServer.ActiveFault drop =
        server.addFault(FaultRule.on("PUT", "/upload/.*").dropAfterBytes(1_600_000).times(1));

    storage.upload(local, path("big.bin"));

    assertEquals(1, drop.fired());
    assertArrayEquals(data, server.getObject(bucket, "big.bin").orElseThrow());
    List<RecordedRequest> puts = server.requests(RecordedRequest::isResumableChunk);
    assertEquals(RecordedRequest.DROPPED, puts.get(0).status());
    RecordedRequest last = puts.get(puts.size() - 1);
    assertEquals(200, last.status());
    // 1,600,000 bytes arrived; GCS keeps whole 256 KiB units (1,572,864), and the client resends
    // only the rest instead of starting over.
    assertEquals(data.length - 1_572_864, last.bodyBytes());
    assertEquals(1, server.requests(RecordedRequest::isResumableStart).size());
  }

  @Test
  void aStreamedUploadSurvivesADroppedChunk() throws IOException {
    byte[] data = randomBytes(2 * MIB + 999, 8);
    server.addFault(FaultRule.on("PUT", "/upload/.*").skip(2).dropAfterBytes(100_000).times(1));
    try (OutputStream out = storage.openWrite(path("stream.bin"))) {
      for (int off = 0; off < data.length; off += 65_536) {
        out.write(data, off, Math.min(65_536, data.length - off));
      }
    }
    assertArrayEquals(data, server.getObject(bucket, "stream.bin").orElseThrow());
    assertEquals(1, server.requests(r -> r.status() == RecordedRequest.DROPPED).size());
  }

  @Test
  void anUploadThatKeepsBreakingFailsCleanlyAndLeavesNoObject() throws IOException {
    GcsStorage impatient =
        new GcsStorage(config.withRetry(config.retry().withTotalTimeout(Duration.ofSeconds(2))));
    Path local = temp.resolve("doomed.bin");
    Files.write(local, randomBytes(2 * MIB, 9));
    // Under 256 KiB per attempt, so no attempt persists anything and the upload cannot progress.
    server.addFault(FaultRule.on("PUT", "/upload/.*").dropAfterBytes(100_000));

    StorageException e = assertFailsWithin(FAST, () -> impatient.upload(local, path("doomed.bin")));

    assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains(path("doomed.bin")), e.getMessage());
    assertTrue(server.objectNames(bucket).isEmpty(), "a partial object became visible");
    assertTrue(server.requests(r -> r.status() == RecordedRequest.DROPPED).size() > 1);
  }

  @Test
  void aFailedStreamCommitsNothing() throws IOException {
    GcsStorage impatient =
        new GcsStorage(config.withRetry(config.retry().withTotalTimeout(Duration.ofSeconds(1))));
    server.addFault(FaultRule.on("PUT", "/upload/.*").respond(503));
    OutputStream out = impatient.openWrite(path("broken-stream"));
    byte[] chunk = randomBytes(512 * 1024, 10);
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> {
              for (int i = 0; i < 6; i++) {
                out.write(chunk);
              }
            });
    assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
    out.close();
    server.clearFaults();
    assertTrue(server.objectNames(bucket).isEmpty(), "a partial object became visible");
  }

  @Test
  void droppedConnectionsAreRetriedUntilTheRequestGetsThrough() {
    GcsTestServer.ActiveFault drops =
        server.addFault(
            FaultRule.on("POST", "/upload/.*")
                .forObject(".+/checkpoint")
                .dropConnection()
                .times(2));
    storage.writeBytes(path("run/model.ckpt-1.index"), bytes("index"));
    storage.compareAndSet(path("run/checkpoint"), bytes("state"), StorageObject.NO_GENERATION);
    assertEquals(2, drops.fired());
    assertArrayEquals(bytes("state"), server.getObject(bucket, "run/checkpoint").orElseThrow());
  }

  @Test
  void aCommitThatIsAlwaysDroppedFailsAndWritesNothing() {
    // How a writer killed between its data upload and its state commit looks from outside.
    GcsStorage impatient =
        new GcsStorage(config.withRetry(config.retry().withTotalTimeout(Duration.ofSeconds(1))));
    server.addFault(FaultRule.on("POST", "/upload/.*").forObject(".+/checkpoint").dropConnection());
    impatient.writeBytes(path("run/model.ckpt-2.index"), bytes("index"));
    StorageException e =
        assertFailsWithin(
            FAST,
            () ->
                impatient.compareAndSet(
                    path("run/checkpoint"), bytes("state"), StorageObject.NO_GENERATION));
    assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
    assertEquals(List.of("run/model.ckpt-2.index"), server.objectNames(bucket));
  }

  @Test
  void rateLimiting429sAreRetried() {
    GcsTestServer.ActiveFault fault =
        server.addFault(FaultRule.on("POST", "/upload/.*").respond(429).times(3));
    storage.writeBytes(path("limited"), bytes("eventually"));
    assertEquals(3, fault.fired());
    assertArrayEquals(bytes("eventually"), server.getObject(bucket, "limited").orElseThrow());
  }

  @Test
  void aDownloadCutShortResumesWhereItStopped() throws IOException {
    byte[] data = randomBytes(2 * MIB, 11);
    server.putObject(bucket, "read-me", data);
    GcsTestServer.ActiveFault cut =
        server.addFault(
            FaultRule.on("GET", ".*")
                .withQueryParam("alt", "media")
                .dropAfterBytes(500_000)
                .times(2));

    assertArrayEquals(data, storage.readBytes(path("read-me")));
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    try (InputStream in = storage.openRead(path("read-me"))) {
      in.transferTo(copy);
    }
    assertArrayEquals(data, copy.toByteArray());
    assertEquals(2, cut.fired());
  }

  @Test
  void aLostResponseToACommittedWriteIsRecognisedAsOurOwn() {
    server.addFault(FaultRule.on("POST", "/upload/.*").dropResponse().times(1));
    assertTrue(storage.compareAndSet(path("state"), bytes("mine"), StorageObject.NO_GENERATION));
    // The client retried, met its own object (412), and the write id settled it.
    assertEquals(
        1, server.requests(r -> r.path().startsWith("/upload/") && r.status() == 412).size());
    assertArrayEquals(bytes("mine"), server.getObject(bucket, "state").orElseThrow());

    server.addFault(FaultRule.on("POST", "/upload/.*").dropResponse().times(1));
    storage.writeBytes(path("state"), bytes("mine again"));
    assertArrayEquals(bytes("mine again"), server.getObject(bucket, "state").orElseThrow());
  }

  @Test
  void compareAndSetLosesToAnotherWriter() {
    storage.writeBytes(path("state"), bytes("v1"));
    long seen = storage.readVersioned(path("state")).orElseThrow().generation();
    server.putObject(bucket, "state", bytes("other writer"));
    assertFalse(storage.compareAndSet(path("state"), bytes("v2"), seen));
    assertArrayEquals(bytes("other writer"), server.getObject(bucket, "state").orElseThrow());
  }

  @Test
  void aSlowResponseBeyondTheReadTimeoutIsRetried() {
    GcsStorage quick =
        new GcsStorage(config.withRetry(config.retry().withReadTimeout(Duration.ofMillis(300))));
    server.putObject(bucket, "slow", bytes("late"));
    GcsTestServer.ActiveFault slow =
        server.addFault(FaultRule.on("GET", ".*/o/slow").delay(Duration.ofSeconds(1)).times(1));
    assertArrayEquals(bytes("late"), quick.readBytes(path("slow")));
    assertEquals(1, slow.fired());
  }

  @Test
  void aMissingBucketFailsFastNamingTheBucket() {
    String p = "gs://no-such-bucket/run/model.ckpt-1.index";
    for (Executable op :
        List.<Executable>of(
            () -> storage.writeBytes(p, bytes("x")),
            () -> storage.readBytes(p),
            () -> storage.stat(p),
            () -> storage.exists(p),
            () -> storage.list("gs://no-such-bucket/run/"),
            () -> storage.delete(p),
            () -> storage.compareAndSet(p, bytes("x"), 0))) {
      StorageException e = assertFailsWithin(FAST, op);
      assertEquals(StorageException.Kind.BUCKET_NOT_FOUND, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("gs://no-such-bucket/run/"), e.getMessage());
      assertTrue(e.getMessage().contains("bucket 'no-such-bucket' does not exist"), e.getMessage());
    }
  }

  @Test
  void permissionDeniedFailsFastWithoutRetrying() {
    server.addFault(FaultRule.on("*", ".*").respond(403));
    StorageException e =
        assertFailsWithin(FAST, () -> storage.writeBytes(path("secret"), bytes("x")));
    assertEquals(StorageException.Kind.PERMISSION_DENIED, e.kind());
    assertTrue(e.getMessage().startsWith(path("secret") + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("permission denied (HTTP 403"), e.getMessage());
    assertEquals(1, server.requests().size(), "a 403 must not be retried");
  }

  @Test
  void anUnreachableEndpointFailsFastNamingPathAndEndpoint() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    GcsStorage nowhere = new GcsStorage(StorageConfig.forEndpoint(endpoint));
    for (Executable op :
        List.<Executable>of(
            () -> nowhere.writeBytes("gs://bkt/a/b", bytes("x")),
            () -> nowhere.readBytes("gs://bkt/a/b"),
            () -> nowhere.list("gs://bkt/a/"))) {
      StorageException e = assertFailsWithin(FAST, op);
      assertEquals(StorageException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("gs://bkt/a/"), e.getMessage());
      assertTrue(
          e.getMessage().contains("cannot reach the GCS endpoint " + endpoint), e.getMessage());
    }
  }

  @Test
  void persistentServerErrorsGiveUpAfterTheRetryBudgetWithTheStatus() {
    GcsStorage impatient =
        new GcsStorage(config.withRetry(config.retry().withTotalTimeout(Duration.ofSeconds(1))));
    server.addFault(FaultRule.on("*", ".*").respond(503));
    StorageException e = assertFailsWithin(FAST, () -> impatient.readBytes(path("x")));
    assertEquals(StorageException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
    assertTrue(server.requests().size() > 1, "503 must be retried");
  }

  @Test
  void invalidPathsAreRejectedBeforeAnyRequest() {
    for (String bad : List.of("gs://", "gs://Upper/x", "gs://ab/x", "gs://bkt", "gs://bkt/dir/")) {
      StorageException e = assertThrows(StorageException.class, () -> storage.readBytes(bad));
      assertEquals(StorageException.Kind.INVALID_PATH, e.kind(), bad);
      assertTrue(e.getMessage().startsWith(bad), e.getMessage());
    }
    assertTrue(server.requests().isEmpty());
  }

  private static StorageException assertFailsWithin(Duration bound, Executable op) {
    long start = System.nanoTime();
    StorageException e = assertThrows(StorageException.class, op);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(bound) < 0, "took " + took + " to fail: " + e.getMessage());
    return e;
  }
}
