package io.beamtrain.checkpointing;

import static io.beamtrain.checkpointing.CheckpointManagerTest.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import io.beamtrain.checkpointing.CheckpointManagerOptions.SnapshotMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class CheckpointManagerAsyncTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path tmp;

  private CheckpointManager open(TestModel model, Path dir, MutableClock clock, boolean async) {
    return open(model, dir, clock, async, SnapshotMode.IN_GRAPH);
  }

  private CheckpointManager open(TestModel model, Path dir, MutableClock clock, boolean async, SnapshotMode mode) {
    return CheckpointManager.open(
        dir.toString(), model.saver, model.graph,
        CheckpointManagerOptions.builder()
            .maxToKeep(2)
            .async(async)
            .asyncQueueCapacity(1)
            .snapshotMode(mode)
            .clock(clock)
            .stagingDirectory(tmp.resolve("staging"))
            .build(),
        CONFIG);
  }

  @ParameterizedTest
  @EnumSource(SnapshotMode.class)
  void asyncWritesTheSameFilesAsSync(SnapshotMode mode) throws IOException {
    Path syncDir = tmp.resolve("sync");
    Path asyncDir = tmp.resolve("async");
    MutableClock syncClock = MutableClock.at(1_700_000_000.5);
    MutableClock asyncClock = MutableClock.at(1_700_000_000.5);
    try (TestModel model = TestModel.create();
        CheckpointManager sync = open(model, syncDir, syncClock, false);
        CheckpointManager async = open(model, asyncDir, asyncClock, true, mode)) {
      for (int step = 1; step <= 4; step++) {
        model.trainStep();
        sync.save(model.session, step * 100L, Map.of("loss", 1.0 / step));
        async.save(model.session, step * 100L, Map.of("loss", 1.0 / step));
        syncClock.advance(Duration.ofSeconds(30));
        asyncClock.advance(Duration.ofSeconds(30));
      }
      async.flush();
      assertEquals(sync.all(), async.all().stream()
          .map(c -> new Checkpoint(c.step(), c.prefix().replace("/async/", "/sync/"), c.timestamp(), c.metrics()))
          .toList());
    }
    List<String> names = fileNames(syncDir);
    assertEquals(names, fileNames(asyncDir));
    assertEquals(9, names.size(), names.toString()); // 2 checkpoints x 4 files + the state file
    for (String name : names) {
      assertArrayEquals(Files.readAllBytes(syncDir.resolve(name)), Files.readAllBytes(asyncDir.resolve(name)), name);
    }
  }

  @ParameterizedTest
  @EnumSource(SnapshotMode.class)
  void snapshotIsTakenWhenSaveReturns(SnapshotMode mode) {
    Path dir = tmp.resolve("snap");
    List<float[]> atSave;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir, MutableClock.at(1_700_000_000), true, mode)) {
      model.trainStep();
      manager.save(model.session, 1, Map.of());
      atSave = model.variableValues();
      for (int i = 0; i < 20; i++) {
        model.trainStep(); // in place updates of the variables must not reach the queued snapshot
      }
      manager.restore(model.session); // restore flushes first
      assertValues(atSave, model.variableValues());
    }
  }

  /**
   * The snapshot is of the step {@code save} was called at even when training runs on while the
   * background thread is still busy with the save before it: the queued snapshot must own its
   * memory, since training updates reference variables in place (a fetch without a copy would
   * write the values of 20 steps later).
   */
  @ParameterizedTest
  @EnumSource(SnapshotMode.class)
  void queuedSnapshotIsOfItsStepWhileTrainingRunsAhead(SnapshotMode mode) throws InterruptedException {
    Path dir = tmp.resolve("ahead");
    CountDownLatch writerHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CheckpointCommitListener holdAfterFirst = (checkpoint, sinceSave) -> {
      if (checkpoint.step() == 1) {
        writerHeld.countDown();
        try {
          assertTrue(release.await(60, TimeUnit.SECONDS), "test never released the writer");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    };
    try (TestModel model = TestModel.create();
        CheckpointManager manager = CheckpointManager.open(
            dir.toString(), model.saver, model.graph,
            CheckpointManagerOptions.builder()
                .maxToKeep(2)
                .async(true)
                .asyncQueueCapacity(1)
                .snapshotMode(mode)
                .clock(MutableClock.at(1_700_000_000))
                .stagingDirectory(tmp.resolve("staging"))
                .commitListener(holdAfterFirst)
                .build(),
            CONFIG)) {
      model.trainStep();
      manager.save(model.session, 1, Map.of());
      assertTrue(writerHeld.await(60, TimeUnit.SECONDS), "step 1 never committed");
      model.trainStep();
      manager.save(model.session, 2, Map.of()); // queued behind the held writer
      List<float[]> atSave = model.variableValues();
      for (int i = 0; i < 20; i++) {
        model.trainStep(); // training continues at once, updating the variables in place
      }
      List<float[]> ahead = model.variableValues();
      assertTrue(IntStream.range(0, atSave.size()).anyMatch(i -> !Arrays.equals(atSave.get(i), ahead.get(i))),
          "training must have moved the variables for this test to mean anything");
      release.countDown();
      manager.flush();
      assertEquals(List.of(1L, 2L), manager.all().stream().map(Checkpoint::step).toList());
      manager.restore(model.session, 2);
      assertValues(atSave, model.variableValues());
    } finally {
      release.countDown();
    }
  }

  /**
   * A save that comes while the previous snapshot is still unwritten (the writer is held) waits
   * for it: with one set of shadows (IN_GRAPH) capturing at once would overwrite the previous
   * step's values before they reach its files; with copies (COPY) the full queue makes it wait.
   * Both checkpoints hold their own step's values.
   */
  @ParameterizedTest
  @EnumSource(SnapshotMode.class)
  void saveWaitsWhileThePreviousSnapshotIsUnwritten(SnapshotMode mode) throws Exception {
    Path dir = tmp.resolve("wait");
    CountDownLatch writerHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CheckpointCommitListener holdAfterFirst = (checkpoint, sinceSave) -> {
      if (checkpoint.step() == 1) {
        writerHeld.countDown();
        try {
          assertTrue(release.await(60, TimeUnit.SECONDS), "test never released the writer");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    };
    try (TestModel model = TestModel.create();
        CheckpointManager manager = CheckpointManager.open(
            dir.toString(), model.saver, model.graph,
            CheckpointManagerOptions.builder()
                .maxToKeep(3)
                .async(true)
                .asyncQueueCapacity(1)
                .snapshotMode(mode)
                .clock(MutableClock.at(1_700_000_000))
                .stagingDirectory(tmp.resolve("staging"))
                .commitListener(holdAfterFirst)
                .build(),
            CONFIG)) {
      model.trainStep();
      manager.save(model.session, 1, Map.of());
      assertTrue(writerHeld.await(60, TimeUnit.SECONDS), "step 1 never committed");
      model.trainStep();
      manager.save(model.session, 2, Map.of()); // its snapshot waits behind the held writer
      List<float[]> atTwo = model.variableValues();
      model.trainStep();
      List<float[]> atThree = model.variableValues();
      FutureTask<Checkpoint> third = new FutureTask<>(() -> manager.save(model.session, 3, Map.of()));
      Thread saver = new Thread(third, "third-save");
      saver.start();
      waitUntilBlocked(saver);
      assertFalse(third.isDone(), "the third save must wait for the second snapshot to be written");
      release.countDown();
      assertEquals(3, third.get(60, TimeUnit.SECONDS).step());
      manager.flush();
      assertEquals(List.of(1L, 2L, 3L), manager.all().stream().map(Checkpoint::step).toList());
      manager.restore(model.session, 2);
      assertValues(atTwo, model.variableValues());
      manager.restore(model.session, 3);
      assertValues(atThree, model.variableValues());
    } finally {
      release.countDown();
    }
  }

  /**
   * IN_GRAPH adds its shadows to the training graph, and keeps them out of what is built from the
   * graph later: a saver's variables, a later manager's .meta (byte for byte the one a fresh
   * graph gives) and its collections. COPY adds nothing.
   */
  @ParameterizedTest
  @EnumSource(SnapshotMode.class)
  void shadowsStayOutOfSaversAndMetaGraphs(SnapshotMode mode) throws IOException {
    MutableClock clock = MutableClock.at(1_700_000_000);
    byte[] freshMeta;
    try (TestModel fresh = TestModel.create();
        CheckpointManager sync = open(fresh, tmp.resolve("fresh"), clock, false)) {
      sync.save(fresh.session, 1, Map.of());
      freshMeta = Files.readAllBytes(tmp.resolve("fresh").resolve("model.ckpt-1.meta"));
    }
    try (TestModel model = TestModel.create()) {
      long opsBefore = countOps(model);
      try (CheckpointManager async = open(model, tmp.resolve("async"), clock, true, mode)) {
        long shadowOps = countShadowOps(model);
        if (mode == SnapshotMode.IN_GRAPH) {
          assertTrue(shadowOps > model.saver.variables().size(), "shadows, assigns and a save: " + shadowOps);
        } else {
          assertEquals(0, shadowOps);
          assertEquals(opsBefore, countOps(model));
        }
        async.save(model.session, 1, Map.of());
        async.flush();
        try (CheckpointManager later = open(model, tmp.resolve("later"), clock, false)) {
          later.save(model.session, 1, Map.of());
        }
      }
      assertArrayEquals(freshMeta, Files.readAllBytes(tmp.resolve("later").resolve("model.ckpt-1.meta")));
      assertArrayEquals(freshMeta, Files.readAllBytes(tmp.resolve("async").resolve("model.ckpt-1.meta")));
      // Last: a second saver adds its own save_1 scope to the graph.
      assertEquals(
          model.saver.variables().stream().map(SaverGraph.SavedVariable::name).toList(),
          SaverGraph.build(model.graph).variables().stream().map(SaverGraph.SavedVariable::name).toList());
    }
  }

  private static long countOps(TestModel model) {
    long n = 0;
    for (var it = model.graph.operations(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  private static long countShadowOps(TestModel model) {
    long n = 0;
    for (var it = model.graph.operations(); it.hasNext(); ) {
      if (it.next().name().startsWith(ShadowSnapshots.SCOPE)) {
        n++;
      }
    }
    return n;
  }

  /** Waits (up to a minute) until {@code thread} parks: it is blocked, not merely slow. */
  private static void waitUntilBlocked(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(thread.isAlive(), "the save returned instead of waiting");
      assertTrue(System.nanoTime() < deadline, "the save never blocked");
      Thread.sleep(5);
    }
  }

  @ParameterizedTest
  @EnumSource(SnapshotMode.class)
  void backgroundFailureIsNeverLost(SnapshotMode mode) throws IOException {
    Path dir = tmp.resolve("doomed");
    MutableClock clock = MutableClock.at(1_700_000_000);
    try (TestModel model = TestModel.create()) {
      CheckpointManager manager = open(model, dir, clock, true, mode);
      manager.save(model.session, 1, Map.of());
      manager.flush();
      // Someone replaces the directory by a file: every later upload must fail.
      deleteTree(dir);
      Files.writeString(dir, "not a directory");
      Checkpoint queued = manager.save(model.session, 2, Map.of());
      assertEquals(2, queued.step(), "async save returns before the upload");
      CheckpointException flush = assertThrows(CheckpointException.class, manager::flush);
      assertTrue(flush.getMessage().contains("step 2") && flush.getMessage().contains(dir.toString()),
          flush.getMessage());
      assertThrows(CheckpointException.class, () -> manager.save(model.session, 3, Map.of()),
          "a save after a failure fails fast");
      CheckpointException close = assertThrows(CheckpointException.class, manager::close);
      assertTrue(close.getMessage().contains("step 2"), close.getMessage());
      assertEquals(1, manager.latest().orElseThrow().step(), "the failed save never committed");
    }
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> !n.endsWith(".beamtrain-lock"))
          .sorted()
          .toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.forEach(all::add);
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      Files.delete(all.get(i));
    }
  }
}
