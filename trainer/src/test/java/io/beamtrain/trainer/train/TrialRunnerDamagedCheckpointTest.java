package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An interrupted trial whose newest committed checkpoint was damaged afterwards (a truncated
 * upload, a disk error) resumes from the checkpoint before it, and ends as an uninterrupted run.
 */
class TrialRunnerDamagedCheckpointTest {
  private static final long STEPS = 400;
  private static final String DATA_SUFFIX = ".data-00000-of-00001";

  @TempDir static Path shared;
  @TempDir Path trials;

  static String data;
  static TrialResult straight;
  static byte[] straightWeights;

  enum Damage {
    TRUNCATED_DATA(DATA_SUFFIX),
    GARBAGE_DATA(DATA_SUFFIX),
    GARBAGE_INDEX(".index");

    final String suffix;

    Damage(String suffix) {
      this.suffix = suffix;
    }

    void apply(Path file) throws IOException {
      byte[] bytes = Files.readAllBytes(file);
      switch (this) {
        case TRUNCATED_DATA -> Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        case GARBAGE_DATA -> {
          new Random(3).nextBytes(bytes);
          Files.write(file, bytes);
        }
        case GARBAGE_INDEX -> Files.writeString(file, "garbage where the index was");
      }
    }
  }

  @BeforeAll
  static void trainStraight() throws IOException {
    data = DataDirFixture.syntheticRegression(1500, 3, 5).write(shared.resolve("data")).dataDir();
    TrialSpec spec = spec(shared.resolve("straight")).build();
    straight = TrialRunner.run(spec);
    straightWeights = Files.readAllBytes(shared.resolve("straight/model.ckpt-" + STEPS + DATA_SUFFIX));
  }

  private static TrialSpec.Builder spec(Path dir) {
    return TrialSpec.builder()
        .dataDir(data)
        .trialDir(dir.toString())
        .seed(17)
        .trainSteps(STEPS)
        .evalEverySteps(50)
        .checkpointEverySteps(100)
        .intraOpThreads(1)
        .interOpThreads(1);
  }

  /** Runs the trial until the evaluation at {@code step}, where the process "dies". */
  private static void crashAt(TrialSpec spec, long step) {
    TrainingListener crash =
        new TrainingListener() {
          @Override
          public void onEvaluation(long at, Map<String, Double> metrics) {
            if (at == step) {
              throw new IllegalStateException("simulated crash");
            }
          }
        };
    assertThrows(IllegalStateException.class, () -> TrialRunner.run(spec, crash));
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedNewestCheckpointResumesFromThePreviousOne(Damage damage) throws IOException {
    Path dir = trials.resolve(damage.name());
    TrialSpec spec = spec(dir).build();
    crashAt(spec, 350);
    Path damaged = dir.resolve("model.ckpt-300" + damage.suffix);
    damage.apply(damaged);

    String[] log = new String[1];
    TrialResult resumed = capturingStderr(() -> TrialRunner.run(spec), log);

    assertTrue(log[0].contains("WARN") && log[0].contains(damaged.toString()), log[0]);
    assertTrue(log[0].contains("resumed from " + dir.resolve("model.ckpt-200")), log[0]);
    assertEquals(TrialStatus.COMPLETED, resumed.status());
    assertEquals(straight.steps(), resumed.steps());
    assertEquals(straight.history(), resumed.history());
    assertEquals(straight.metrics(), resumed.metrics());
    assertEquals(straight.bestStep(), resumed.bestStep());
    assertArrayEquals(straightWeights, Files.readAllBytes(dir.resolve("model.ckpt-" + STEPS + DATA_SUFFIX)),
        "weights and optimizer state at the last step differ from the uninterrupted run's");
    assertEquals(resumed, new TrialDirectory(spec.trialDir(), StorageConfig.defaults()).readResult().orElseThrow());
  }

  @Test
  void whenNoCheckpointRestoresTheTrialStartsAfreshAndSaysSo() throws IOException {
    Path dir = trials.resolve("all-damaged");
    TrialSpec spec = spec(dir).build();
    crashAt(spec, 350);
    List<Path> committed;
    try (Stream<Path> files = Files.list(dir)) {
      committed = files.filter(f -> f.getFileName().toString().endsWith(DATA_SUFFIX)).toList();
    }
    assertTrue(committed.size() >= 2, committed.toString());
    for (Path file : committed) {
      Damage.TRUNCATED_DATA.apply(file);
    }

    String[] log = new String[1];
    TrialResult fresh = capturingStderr(() -> TrialRunner.run(spec), log);

    assertTrue(log[0].contains("none of the " + committed.size() + " committed checkpoints in " + dir + " restores; starting from step 0"),
        log[0]);
    assertEquals(TrialStatus.COMPLETED, fresh.status());
    assertEquals(straight.history(), fresh.history());
    assertArrayEquals(straightWeights, Files.readAllBytes(dir.resolve("model.ckpt-" + STEPS + DATA_SUFFIX)));
  }

  /** Runs {@code body} with System.err (where slf4j-simple logs) captured into {@code log[0]}. */
  private static <T> T capturingStderr(Supplier<T> body, String[] log) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      return body.get();
    } finally {
      System.setErr(original);
      log[0] = captured.toString(StandardCharsets.UTF_8);
      original.print(log[0]);
    }
  }
}
