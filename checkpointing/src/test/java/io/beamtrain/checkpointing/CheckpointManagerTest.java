package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointManagerTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path tmp;

  private CheckpointManagerOptions.Builder options(MutableClock clock) {
    return CheckpointManagerOptions.builder().clock(clock).stagingDirectory(tmp.resolve("staging"));
  }

  @Test
  void savesFilesAndRestoresLatestAndByStep() {
    String dir = tmp.resolve("run").toString();
    MutableClock clock = MutableClock.at(1_700_000_000.0);
    List<float[]> atStep1;
    List<float[]> atStep2;
    try (TestModel model = TestModel.create();
        CheckpointManager manager =
            CheckpointManager.open(dir, model.saver, model.graph, options(clock).build(), CONFIG)) {
      model.trainStep();
      manager.save(model.session, 1, Map.of("eval_loss", 0.5));
      atStep1 = model.variableValues();
      model.trainStep();
      clock.advance(Duration.ofSeconds(10));
      Checkpoint second = manager.save(model.session, 2, Map.of("eval_loss", 0.25));
      atStep2 = model.variableValues();
      assertEquals(dir + "/model.ckpt-2", second.prefix());
      assertEquals(List.of(1L, 2L), manager.all().stream().map(Checkpoint::step).toList());
    }
    for (String suffix : List.of(".index", ".data-00000-of-00001", ".meta", ".metrics.json")) {
      assertTrue(Files.exists(Path.of(dir, "model.ckpt-2" + suffix)), suffix);
    }
    try (TestModel fresh = TestModel.create();
        CheckpointManager manager =
            CheckpointManager.open(dir, fresh.saver, fresh.graph, options(clock).build(), CONFIG)) {
      assertEquals(2, manager.latest().orElseThrow().step());
      assertEquals(Map.of("eval_loss", 0.25), manager.latest().orElseThrow().metrics());
      manager.restore(fresh.session);
      assertValues(atStep2, fresh.variableValues());
      manager.restore(fresh.session, 1);
      assertValues(atStep1, fresh.variableValues());
      CheckpointException e = assertThrows(CheckpointException.class, () -> manager.restore(fresh.session, 7));
      assertTrue(e.getMessage().contains("step 7"), e.getMessage());
    }
    assertEquals(2, CheckpointManager.latestCheckpoint(dir, CONFIG).orElseThrow().step());
  }

  @Test
  void stateFileIsWhatPythonWrites() throws IOException {
    String dir = tmp.resolve("state").toString();
    MutableClock clock = MutableClock.at(1_700_000_000.25);
    try (TestModel model = TestModel.create();
        CheckpointManager manager =
            CheckpointManager.open(dir, model.saver, model.graph, options(clock).maxToKeep(2).build(), CONFIG)) {
      manager.save(model.session, 100, Map.of());
      clock.advance(Duration.ofMillis(60_500));
      manager.save(model.session, 200, Map.of());
      clock.advance(Duration.ofMillis(60_500));
      manager.save(model.session, 300, Map.of());
    }
    String expected =
        "model_checkpoint_path: \"model.ckpt-300\"\n"
            + "all_model_checkpoint_paths: \"model.ckpt-200\"\n"
            + "all_model_checkpoint_paths: \"model.ckpt-300\"\n"
            + "all_model_checkpoint_timestamps: 1700000060.75\n"
            + "all_model_checkpoint_timestamps: 1700000121.25\n"
            + "last_preserved_timestamp: 1699999999.25\n";
    assertEquals(expected, Files.readString(Path.of(dir, "checkpoint")));
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("model.ckpt-100")),
          "retention deleted step 100's files");
    }
  }

  @Test
  void corruptStateFileNamesTheFileAndLatestFallsBackToListing() throws IOException {
    String dir = tmp.resolve("corrupt").toString();
    MutableClock clock = MutableClock.at(1_700_000_000.0);
    try (TestModel model = TestModel.create();
        CheckpointManager manager =
            CheckpointManager.open(dir, model.saver, model.graph, options(clock).build(), CONFIG)) {
      manager.save(model.session, 10, Map.of());
      clock.advance(Duration.ofSeconds(1));
      manager.save(model.session, 20, Map.of());
    }
    Path state = Path.of(dir, "checkpoint");
    String text = Files.readString(state);
    Files.writeString(state, text.substring(0, text.indexOf("model.ckpt-20") + 5), StandardCharsets.UTF_8);
    CheckpointStateFormatException e =
        assertThrows(CheckpointStateFormatException.class, () -> CheckpointManager.readState(dir, CONFIG));
    assertTrue(e.getMessage().startsWith(state + ":1:"), e.getMessage());
    assertEquals(20, CheckpointManager.latestCheckpoint(dir, CONFIG).orElseThrow().step());
    try (TestModel model = TestModel.create();
        CheckpointManager manager =
            CheckpointManager.open(dir, model.saver, model.graph, options(clock).build(), CONFIG)) {
      assertEquals(20, manager.latest().orElseThrow().step());
      manager.restore(model.session);
      clock.advance(Duration.ofSeconds(1));
      manager.save(model.session, 30, Map.of());
    }
    assertEquals(List.of(10L, 20L, 30L),
        CheckpointManager.readState(dir, CONFIG).orElseThrow().allModelCheckpointPaths().stream()
            .map(p -> Long.parseLong(p.substring("model.ckpt-".length()))).toList(),
        "the next save repairs the state file");
  }

  static void assertValues(List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "variable #" + i);
    }
  }
}
