package io.beamtrain.checkpointing;

import static io.beamtrain.checkpointing.CheckpointManagerTest.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.FaultRule;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;

/** The checkpoint manager, meta-graph import and SavedModel export on the GCS test server. */
class CheckpointManagerGcsTest {
  private static GcsTestServer server;
  private static StorageConfig config;

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at(1_700_000_000.0);

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    // Small threshold: the .meta and data files go up through resumable sessions too.
    config = server.storageConfig().withResumableThresholdBytes(4096);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    server.clearFaults();
    server.clearRequests();
    server.createBucket("bkt");
  }

  private CheckpointManager open(TestModel model, String dir, StorageConfig storage) {
    return CheckpointManager.open(
        dir, model.saver, model.graph,
        CheckpointManagerOptions.builder().clock(clock).stagingDirectory(tmp.resolve("staging")).build(),
        storage);
  }

  private void save(CheckpointManager manager, TestModel model, long step) {
    model.trainStep();
    clock.advance(Duration.ofMinutes(1));
    manager.save(model.session, step, Map.of("loss", 1.0 / (step + 1)));
  }

  @Test
  void savesAndRestoresUnderADeepPrefixWithNoParents() throws Exception {
    String dir = "gs://bkt/a/b/model";
    List<float[]> atStep2;
    float[] predicted;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir, config)) {
      save(manager, model, 1);
      save(manager, model, 2);
      atStep2 = model.variableValues();
      predicted = model.predict();
      Signature signature = Signature.builder()
          .input("x", model.graph.output(TestModel.INPUT))
          .output("y", model.graph.output(TestModel.OUTPUT))
          .build();
      SavedModels.export(model.session, List.of(signature), "gs://bkt/a/b/export/saved_model", config);
    }
    List<String> names = server.objectNames("bkt");
    assertTrue(names.contains("a/b/model/checkpoint"), names.toString());
    assertTrue(names.contains("a/b/model/model.ckpt-2.data-00000-of-00001"), names.toString());
    assertFalse(names.stream().anyMatch(n -> n.endsWith("/")), "no directory markers: " + names);

    assertEquals(2, CheckpointManager.latestCheckpoint(dir, config).orElseThrow().step());
    try (TestModel fresh = TestModel.create();
        CheckpointManager manager = open(fresh, dir, config)) {
      manager.restore(fresh.session);
      assertValues(atStep2, fresh.variableValues());
    }
    try (LoadedModel loaded =
        MetaGraphs.importAndRestore(dir + "/model.ckpt-2.meta", dir + "/model.ckpt-2", config)) {
      assertArrayEquals(predicted, TestModel.predict(loaded.session()));
    }
    Path local = tmp.resolve("downloaded");
    for (String name : server.objectNames("bkt", "a/b/export/saved_model/")) {
      Storages.forPath("gs://bkt", config)
          .download("gs://bkt/" + name, local.resolve(name.substring("a/b/export/saved_model/".length())));
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(local.toString(), SavedModels.SERVE_TAG);
        TFloat32 x = TFloat32.tensorOf(StdArrays.ndCopyOf(new float[][] {{1, 2, 3}, {0, -1, 2}, {4, 0, 1}, {-2, 1, 0}}));
        Result result = bundle.function(Signature.DEFAULT_KEY).call(Map.of("x", x))) {
      TFloat32 y = (TFloat32) result.get("y").orElseThrow();
      for (int i = 0; i < predicted.length; i++) {
        assertEquals(predicted[i], y.getFloat(i, 0));
      }
    }
  }

  @Test
  void writerKilledBeforeTheCommitLeavesThePreviousCheckpointAndOrphansAreCollected() {
    String dir = "gs://bkt/killed/trial";
    // The writer "dies" at the commit: every attempt to write the state file is cut off, and
    // it gives up after three attempts instead of 20 s. A multipart upload carries the object name
    // in its body, so the commit is recognised by its precondition: it is the only write that
    // replaces an existing generation (the checkpoint files are all new objects).
    StorageConfig dying = config.withRetry(config.retry().withMaxAttempts(3));
    List<float[]> atStep1;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir, dying)) {
      save(manager, model, 1);
      atStep1 = model.variableValues();
      server.addFault(
          FaultRule.on("POST", "/upload/.*").withQueryParam("ifGenerationMatch", "[1-9][0-9]*").dropConnection());
      assertThrows(StorageException.class, () -> save(manager, model, 2));
      server.clearFaults();
    }
    List<String> afterCrash = server.objectNames("bkt", "killed/trial/");
    assertTrue(afterCrash.contains("killed/trial/model.ckpt-2.index"), "step 2 was uploaded: " + afterCrash);
    assertEquals(1, CheckpointManager.latestCheckpoint(dir, config).orElseThrow().step());

    try (TestModel fresh = TestModel.create();
        CheckpointManager manager = open(fresh, dir, config)) {
      assertFalse(server.objectNames("bkt", "killed/trial/").stream().anyMatch(n -> n.contains("model.ckpt-2.")),
          "orphans of step 2 collected: " + server.objectNames("bkt", "killed/trial/"));
      manager.restore(fresh.session);
      assertValues(atStep1, fresh.variableValues());
    }
  }

  @Test
  void twentyInjected503sDuringOneSaveAndEveryFileIsIntact() throws Exception {
    String dir = "gs://bkt/flaky/run";
    Path localDir = tmp.resolve("reference");
    MutableClock localClock = MutableClock.at(1_700_000_000.0);
    try (TestModel model = TestModel.create(400_000);
        CheckpointManager remote = open(model, dir, config);
        CheckpointManager local = CheckpointManager.open(
            localDir.toString(), model.saver, model.graph,
            CheckpointManagerOptions.builder().clock(localClock).stagingDirectory(tmp.resolve("s2")).build(),
            StorageConfig.defaults())) {
      model.trainStep();
      remote.save(model.session, 1, Map.of("loss", 0.5));
      local.save(model.session, 1, Map.of("loss", 0.5));
      model.trainStep();
      clock.advance(Duration.ofMinutes(1));
      localClock.advance(Duration.ofMinutes(1));
      server.clearRequests();
      // Twenty 503s spread over every kind of request one save makes: metadata reads, downloads,
      // multipart uploads, resumable session starts and the resumable data PUTs.
      server.addFault(FaultRule.on("GET", "/storage/v1/.*").respond(503).times(4));
      server.addFault(FaultRule.on("GET", "/download/.*").respond(503).times(4));
      server.addFault(FaultRule.on("POST", "/upload/.*").withQueryParam("uploadType", "multipart").respond(503).times(4));
      server.addFault(FaultRule.on("POST", "/upload/.*").withQueryParam("uploadType", "resumable").respond(503).times(4));
      server.addFault(FaultRule.on("PUT", "/upload/.*").respond(503).times(4));
      remote.save(model.session, 2, Map.of("loss", 0.25));
      local.save(model.session, 2, Map.of("loss", 0.25));
    }
    assertEquals(20, server.requests(r -> r.status() == 503).size(), "all 20 faults fired");
    List<String> names = server.objectNames("bkt", "flaky/run/");
    assertEquals(9, names.size(), names.toString());
    for (String name : names) {
      String file = name.substring("flaky/run/".length());
      assertArrayEquals(Files.readAllBytes(localDir.resolve(file)), server.getObject("bkt", name).orElseThrow(), file);
    }
  }

  @Test
  void missingBucketForbiddenAndUnreachableFailFastNamingThePath() {
    try (TestModel model = TestModel.create()) {
      assertFastFailure(() -> open(model, "gs://no-such-bucket/run", config),
          StorageException.Kind.BUCKET_NOT_FOUND, "gs://no-such-bucket/run");
      server.addFault(FaultRule.on("*", ".*").respond(403));
      assertFastFailure(() -> open(model, "gs://bkt/forbidden", config),
          StorageException.Kind.PERMISSION_DENIED, "gs://bkt/forbidden");
      server.clearFaults();
      // A port nothing listens on: the server's own port after it is closed.
      String deadEndpoint;
      try (GcsTestServer dead = GcsTestServer.start()) {
        deadEndpoint = dead.endpoint();
      }
      assertFastFailure(() -> open(model, "gs://bkt/unreachable", StorageConfig.forEndpoint(deadEndpoint)),
          null, "gs://bkt/unreachable");
    }
  }

  private static void assertFastFailure(
      org.junit.jupiter.api.function.Executable open, StorageException.Kind kind, String path) {
    long start = System.nanoTime();
    StorageException e = assertThrows(StorageException.class, open);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(e.getMessage().contains(path), e.getMessage());
    if (kind != null) {
      assertEquals(kind, e.kind(), e.getMessage());
    }
    // Not a timing benchmark: only that the failure is not retried for the 20 s retry budget.
    assertTrue(seconds < 10, "took " + seconds + " s: " + e.getMessage());
  }

  @Test
  void twoManagersRacingOnOneDirectory() {
    String dir = "gs://bkt/race/trial";
    try (TestModel a = TestModel.create();
        TestModel b = TestModel.create();
        CheckpointManager first = open(a, dir, config);
        CheckpointManager second = open(b, dir, config)) {
      save(first, a, 1);
      ConcurrentWriterException e = assertThrows(ConcurrentWriterException.class, () -> save(second, b, 5));
      assertTrue(e.getMessage().contains("gs://bkt/race/trial/checkpoint"), e.getMessage());
      save(first, a, 2);
      assertEquals(List.of(1L, 2L), first.all().stream().map(Checkpoint::step).toList());
      assertEquals(2, CheckpointManager.latestCheckpoint(dir, config).orElseThrow().step());
    }
  }
}
