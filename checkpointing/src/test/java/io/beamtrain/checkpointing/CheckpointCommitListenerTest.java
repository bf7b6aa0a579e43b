package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.testing.FaultRule;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The commit listener: once per committed checkpoint, in step order, never for a failed commit. */
class CheckpointCommitListenerTest {
  private static GcsTestServer server;
  private static StorageConfig config;

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at(1_700_000_000.0);
  private final List<Checkpoint> committed = new CopyOnWriteArrayList<>();
  private final List<Duration> durations = new CopyOnWriteArrayList<>();
  private final List<String> threads = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    // Fail fast: a refused commit is not retried for long.
    config = server.storageConfig().withRetry(server.storageConfig().retry().withMaxAttempts(2));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    server.clearFaults();
    server.createBucket("bkt");
  }

  private CheckpointManager open(TestModel model, String dir, boolean async, CheckpointCommitListener listener) {
    return CheckpointManager.open(
        dir, model.saver, model.graph,
        CheckpointManagerOptions.builder()
            .maxToKeep(2)
            .async(async)
            .clock(clock)
            .stagingDirectory(tmp.resolve("staging"))
            .commitListener(listener)
            .build(),
        config);
  }

  private void record(Checkpoint checkpoint, Duration sinceSave) {
    committed.add(checkpoint);
    durations.add(sinceSave);
    threads.add(Thread.currentThread().getName());
  }

  private void save(CheckpointManager manager, TestModel model, long step) {
    model.trainStep();
    clock.advance(Duration.ofMinutes(1));
    manager.save(model.session, step, Map.of("loss", 1.0 / step));
  }

  private List<Long> committedSteps() {
    return committed.stream().map(Checkpoint::step).toList();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void toldOncePerCommittedCheckpointInStepOrderAndNotOfAFailedCommit(boolean async) {
    String dir = "gs://bkt/listened-" + async;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir, async, this::record)) {
      for (long step = 1; step <= 3; step++) {
        save(manager, model, step);
      }
      manager.flush();
      assertEquals(List.of(1L, 2L, 3L), committedSteps());
      assertEquals(manager.all().get(manager.all().size() - 1), committed.get(2), "the checkpoint as committed");
      durations.forEach(d -> assertFalse(d.isNegative(), d.toString()));
      String saver = Thread.currentThread().getName();
      assertEquals(async, threads.stream().noneMatch(saver::equals),
          "async: the background thread; sync: the caller of save; was " + threads);

      // Only the state file's commit replaces an existing generation; refuse it.
      server.addFault(
          FaultRule.on("POST", "/upload/.*").withQueryParam("ifGenerationMatch", "[1-9][0-9]*").respond(403));
      if (async) {
        save(manager, model, 4);
        assertThrows(CheckpointException.class, manager::flush);
      } else {
        assertThrows(RuntimeException.class, () -> save(manager, model, 4));
      }
      server.clearFaults();
      assertEquals(List.of(1L, 2L, 3L), committedSteps(), "step 4 never committed");
    } catch (CheckpointException e) {
      assertTrue(async, "only the async close rethrows the background failure: " + e);
    }
    assertEquals(3, CheckpointManager.latestCheckpoint(dir, config).orElseThrow().step());
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void theDurationRunsFromSaveToTheCommitOfTheStateFile(boolean async) {
    Duration commitDelay = Duration.ofMillis(300);
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, "gs://bkt/slow-" + async, async, this::record)) {
      // The first commit creates the state file (generation 0): slow it down.
      server.addFault(
          FaultRule.on("POST", "/upload/.*").withQueryParam("ifGenerationMatch", "0").delay(commitDelay));
      save(manager, model, 1);
      manager.flush();
    }
    assertEquals(List.of(1L), committedSteps());
    assertTrue(durations.get(0).compareTo(commitDelay) >= 0,
        "includes the delayed commit of " + commitDelay + ": " + durations.get(0));
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void aThrowingListenerDoesNotFailTheSave(boolean async) {
    String dir = "gs://bkt/throwing-" + async;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir, async, (checkpoint, sinceSave) -> {
          record(checkpoint, sinceSave);
          throw new IllegalStateException("listener broke at step " + checkpoint.step());
        })) {
      save(manager, model, 1);
      save(manager, model, 2);
      manager.flush();
      assertEquals(List.of(1L, 2L), manager.all().stream().map(Checkpoint::step).toList());
    }
    assertEquals(List.of(1L, 2L), committedSteps());
    assertEquals(2, CheckpointManager.latestCheckpoint(dir, config).orElseThrow().step());
  }
}
