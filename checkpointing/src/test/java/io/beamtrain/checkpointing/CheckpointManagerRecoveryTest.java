package io.beamtrain.checkpointing;

import static io.beamtrain.checkpointing.CheckpointManagerTest.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash leftovers, missing files, concurrent writers, retention across restarts. */
class CheckpointManagerRecoveryTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at(1_700_000_000.0);

  private CheckpointManager open(TestModel model, Path dir, CheckpointManagerOptions.Builder options) {
    return CheckpointManager.open(
        dir.toString(), model.saver, model.graph,
        options.clock(clock).stagingDirectory(tmp.resolve("staging")).build(), CONFIG);
  }

  private CheckpointManager open(TestModel model, Path dir) {
    return open(model, dir, CheckpointManagerOptions.builder());
  }

  private Checkpoint save(CheckpointManager manager, TestModel model, long step, double loss) {
    model.trainStep();
    clock.advance(Duration.ofMinutes(1));
    return manager.save(model.session, step, Map.of("loss", loss));
  }

  @Test
  void openingForWritingCollectsOrphansAndNothingElse() throws IOException {
    Path dir = tmp.resolve("run");
    Path scratch = tmp.resolve("scratch");
    List<float[]> atStep2;
    try (TestModel model = TestModel.create()) {
      try (CheckpointManager manager = open(model, dir)) {
        save(manager, model, 1, 0.5);
        save(manager, model, 2, 0.4);
        atStep2 = model.variableValues();
      }
      // What a writer killed between upload and commit leaves: step 3's files, no state entry.
      try (CheckpointManager other = open(model, scratch)) {
        save(other, model, 3, 0.3);
        save(other, model, 0, 0.3);
      }
    }
    for (String suffix : List.of(".metrics.json", ".data-00000-of-00001", ".index", ".meta")) {
      Files.copy(scratch.resolve("model.ckpt-3" + suffix), dir.resolve("model.ckpt-3" + suffix));
    }
    // An interrupted deletion: the index went first, the sidecar is still there.
    Files.copy(scratch.resolve("model.ckpt-0.metrics.json"), dir.resolve("model.ckpt-0.metrics.json"));
    Files.copy(scratch.resolve("model.ckpt-0.data-00000-of-00001"), dir.resolve("model.ckpt-0.data-00000-of-00001"));
    // Files another tool wrote (no sidecar) are not ours to delete.
    Files.copy(scratch.resolve("model.ckpt-3.index"), dir.resolve("model.ckpt-9.index"));
    Files.copy(scratch.resolve("model.ckpt-3.data-00000-of-00001"), dir.resolve("model.ckpt-9.data-00000-of-00001"));

    try (TestModel fresh = TestModel.create()) {
      assertEquals(2, CheckpointManager.latestCheckpoint(dir.toString(), CONFIG).orElseThrow().step(),
          "readers never see the uncommitted step 3");
      assertTrue(Files.exists(dir.resolve("model.ckpt-3.index")), "read-only access collects nothing");
      Files.deleteIfExists(dir.resolve("checkpoint.beamtrain-lock"));
      CheckpointManager.readState(dir.toString(), CONFIG);
      CheckpointManager.latestCheckpoint(dir.toString(), CONFIG);
      assertFalse(Files.exists(dir.resolve("checkpoint.beamtrain-lock")), "read-only access writes nothing");
      try (CheckpointManager manager = open(fresh, dir)) {
        assertEquals(
            Set.of("checkpoint", "model.ckpt-9.index", "model.ckpt-9.data-00000-of-00001")
                .stream().collect(Collectors.toCollection(TreeSet::new)),
            filesNotOfSteps(dir, 1, 2));
        assertEquals(4, filesOfStep(dir, 1).size());
        assertEquals(4, filesOfStep(dir, 2).size());
        manager.restore(fresh.session);
        assertValues(atStep2, fresh.variableValues());
      }
    }
  }

  @Test
  void listedCheckpointWithMissingFilesIsSkipped() throws IOException {
    Path dir = tmp.resolve("missing");
    List<float[]> atStep2;
    List<float[]> atStep1;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir)) {
      save(manager, model, 1, 0.5);
      atStep1 = model.variableValues();
      save(manager, model, 2, 0.4);
      atStep2 = model.variableValues();
      save(manager, model, 3, 0.3);
    }
    Files.delete(dir.resolve("model.ckpt-3.data-00000-of-00001"));
    assertEquals(2, CheckpointManager.latestCheckpoint(dir.toString(), CONFIG).orElseThrow().step());
    try (TestModel fresh = TestModel.create();
        CheckpointManager manager = open(fresh, dir)) {
      assertEquals(2, manager.latest().orElseThrow().step());
      assertTrue(Files.exists(dir.resolve("model.ckpt-3.index")), "never delete what the state file lists");
      manager.restore(fresh.session);
      assertValues(atStep2, fresh.variableValues());
      // Files that vanish after opening are noticed at restore time too.
      Files.delete(dir.resolve("model.ckpt-2.index"));
      manager.restore(fresh.session);
      assertValues(atStep1, fresh.variableValues());
    }
  }

  @Test
  void aSecondWriterLosesTheCompareAndSetClearly() {
    Path dir = tmp.resolve("shared");
    try (TestModel a = TestModel.create();
        TestModel b = TestModel.create();
        CheckpointManager first = open(a, dir);
        CheckpointManager second = open(b, dir)) {
      save(first, a, 1, 0.5);
      ConcurrentWriterException e =
          assertThrows(ConcurrentWriterException.class, () -> save(second, b, 1, 0.5));
      assertTrue(e.getMessage().contains("another writer") && e.getMessage().contains(dir.toString()),
          e.getMessage());
      save(first, a, 2, 0.4);
      assertEquals(List.of(1L, 2L), first.all().stream().map(Checkpoint::step).toList());
    }
  }

  @Test
  void resavingAListedStepReplacesIt() {
    Path dir = tmp.resolve("resave");
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir)) {
      save(manager, model, 1, 0.5);
      save(manager, model, 2, 0.4);
      save(manager, model, 1, 0.3);
      List<float[]> latest = model.variableValues();
      assertEquals(List.of(2L, 1L), manager.all().stream().map(Checkpoint::step).toList());
      model.trainStep();
      manager.restore(model.session);
      assertValues(latest, model.variableValues());
    }
  }

  @Test
  void keepBestSurvivesARestartThroughTheSidecars() throws IOException {
    Path dir = tmp.resolve("best");
    CheckpointManagerOptions.Builder options =
        CheckpointManagerOptions.builder().maxToKeep(1).keepBest(1, "loss", Goal.MINIMIZE);
    try (TestModel model = TestModel.create()) {
      try (CheckpointManager manager = open(model, dir, options)) {
        save(manager, model, 1, 0.5);
        save(manager, model, 2, 0.1);
        save(manager, model, 3, 0.9);
        assertEquals(List.of(2L, 3L), manager.all().stream().map(Checkpoint::step).toList());
      }
      try (CheckpointManager manager = open(model, dir, options)) {
        assertEquals(0.1, manager.all().get(0).metric("loss"));
        save(manager, model, 4, 0.8);
        assertEquals(List.of(2L, 4L), manager.all().stream().map(Checkpoint::step).toList());
      }
    }
    assertTrue(filesOfStep(dir, 3).isEmpty(), "step 3 left both windows and was deleted");
    assertTrue(filesOfStep(dir, 1).isEmpty());
  }

  @Test
  void hourlyPreservedCheckpointsAreUnlistedButNeverCollected() throws IOException {
    Path dir = tmp.resolve("hourly");
    CheckpointManagerOptions.Builder options =
        CheckpointManagerOptions.builder().maxToKeep(1).keepCheckpointEveryNHours(Duration.ofHours(1));
    List<float[]> atStep3 = null;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir, options)) {
      for (int step = 1; step <= 4; step++) {
        model.trainStep();
        manager.save(model.session, step, Map.of());
        if (step == 3) {
          atStep3 = model.variableValues();
        }
        clock.advance(Duration.ofMinutes(40));
      }
    }
    CheckpointState state = CheckpointManager.readState(dir.toString(), CONFIG).orElseThrow();
    assertEquals(List.of("model.ckpt-4"), state.allModelCheckpointPaths());
    assertEquals(1_700_000_000.0 + 80 * 60, state.lastPreservedTimestamp(), "step 3 (80 min) was preserved");
    assertTrue(filesOfStep(dir, 1).isEmpty());
    assertTrue(filesOfStep(dir, 2).isEmpty());
    assertEquals(4, filesOfStep(dir, 3).size());
    try (TestModel fresh = TestModel.create();
        CheckpointManager manager = open(fresh, dir, options)) {
      assertEquals(4, filesOfStep(dir, 3).size(), "reopening does not take it for an orphan");
      manager.restore(fresh.session, 3);
      assertValues(atStep3, fresh.variableValues());
    }
  }

  static Set<String> filesOfStep(Path dir, long step) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("model.ckpt-" + step + "."))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static Set<String> filesNotOfSteps(Path dir, long... steps) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> java.util.Arrays.stream(steps).noneMatch(s -> n.startsWith("model.ckpt-" + s + ".")))
          .filter(n -> !n.startsWith(".") && !n.endsWith(".beamtrain-lock"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
