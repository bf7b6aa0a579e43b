package io.beamtrain.checkpointing;

import static io.beamtrain.checkpointing.CheckpointManagerTest.assertValues;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A committed checkpoint whose files were damaged after the commit (a truncated upload, a disk
 * error, a hand edit): restore notices, names the files, and falls back to the next older one.
 */
class CheckpointManagerDamageTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();
  private static final String NEWEST = "model.ckpt-3";

  @TempDir Path tmp;

  /** Ways the newest checkpoint's files get damaged, and the file the error must name. */
  enum Damage {
    TRUNCATED_DATA(".data-00000-of-00001") {
      @Override
      void apply(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
      }
    },
    GARBAGE_DATA(".data-00000-of-00001") {
      @Override
      void apply(Path file) throws IOException {
        // Same length: only the checksums in the index can tell.
        byte[] garbage = new byte[(int) Files.size(file)];
        new Random(7).nextBytes(garbage);
        Files.write(file, garbage);
      }
    },
    EMPTY_DATA(".data-00000-of-00001") {
      @Override
      void apply(Path file) throws IOException {
        Files.write(file, new byte[0]);
      }
    },
    GARBAGE_INDEX(".index") {
      @Override
      void apply(Path file) throws IOException {
        Files.writeString(file, "this is not an sstable, it only has the right name");
      }
    },
    TRUNCATED_INDEX(".index") {
      @Override
      void apply(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
      }
    },
    GARBAGE_SIDECAR(".metrics.json") {
      @Override
      void apply(Path file) throws IOException {
        Files.writeString(file, "{\"step\": 3, \"metr");
      }
    };

    final String suffix;

    Damage(String suffix) {
      this.suffix = suffix;
    }

    abstract void apply(Path file) throws IOException;
  }

  private CheckpointManager open(TestModel model, Path dir) {
    return CheckpointManager.open(
        dir.toString(), model.saver, model.graph,
        CheckpointManagerOptions.builder().stagingDirectory(tmp.resolve("staging")).build(), CONFIG);
  }

  /** Saves steps 1 to 3 and returns the variables at step 2. */
  private List<float[]> saveThreeSteps(Path dir) {
    List<float[]> atStep2 = null;
    try (TestModel model = TestModel.create();
        CheckpointManager manager = open(model, dir)) {
      for (int step = 1; step <= 3; step++) {
        model.trainStep();
        manager.save(model.session, step, Map.of("loss", 1.0 / step));
        if (step == 2) {
          atStep2 = model.variableValues();
        }
      }
    }
    return atStep2;
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedNewestCheckpointFallsBackToThePreviousOne(Damage damage) throws IOException {
    Path dir = tmp.resolve(damage.name());
    List<float[]> atStep2 = saveThreeSteps(dir);
    damage.apply(dir.resolve(NEWEST + damage.suffix));

    try (TestModel fresh = TestModel.create();
        CheckpointManager manager = open(fresh, dir)) {
      CheckpointException e =
          assertThrows(CheckpointException.class, () -> manager.restore(fresh.session, 3));
      assertTrue(e.getMessage().contains(dir.resolve(NEWEST + damage.suffix).toString()), e.getMessage());

      manager.restore(fresh.session);
      assertValues(atStep2, fresh.variableValues());
    }
  }

  @Test
  void whenNoCheckpointRestoresTheErrorNamesEachOne() throws IOException {
    Path dir = tmp.resolve("all-damaged");
    saveThreeSteps(dir);
    for (int step = 1; step <= 3; step++) {
      Damage.TRUNCATED_DATA.apply(dir.resolve("model.ckpt-" + step + Damage.TRUNCATED_DATA.suffix));
    }
    try (TestModel fresh = TestModel.create();
        CheckpointManager manager = open(fresh, dir)) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> manager.restore(fresh.session));
      for (int step = 1; step <= 3; step++) {
        assertTrue(e.getMessage().contains("model.ckpt-" + step + ".data-00000-of-00001"), e.getMessage());
      }
    }
  }

  @Test
  void aSaverRestoringADamagedCheckpointNamesItsFiles() throws IOException {
    Path dir = tmp.resolve("saver");
    saveThreeSteps(dir);
    Path data = dir.resolve(NEWEST + ".data-00000-of-00001");
    Damage.TRUNCATED_DATA.apply(data);
    try (TestModel fresh = TestModel.create()) {
      String prefix = dir.resolve(NEWEST).toString();
      CheckpointException e =
          assertThrows(CheckpointException.class, () -> fresh.saver.restore(fresh.session, prefix));
      assertTrue(e.getMessage().contains(data.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(prefix + ".index"), e.getMessage());
    }
    assertTrue(new String(Files.readAllBytes(dir.resolve("checkpoint")), StandardCharsets.UTF_8).contains(NEWEST));
  }
}
