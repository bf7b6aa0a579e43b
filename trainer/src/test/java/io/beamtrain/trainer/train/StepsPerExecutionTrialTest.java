package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deterministic trial trains, evaluates, stops and checkpoints the same with any {@code
 * stepsPerExecution}: the same result (history, best step, stop), the same listener calls and
 * byte-identical checkpoint files, with cadences the block size does not divide.
 */
class StepsPerExecutionTrialTest {
  @TempDir static Path data;
  @TempDir Path trials;

  static String penguins;
  static String regression;

  @BeforeAll
  static void writeData() {
    penguins = DataDirFixture.penguins().write(data.resolve("penguins")).dataDir();
    regression =
        DataDirFixture.syntheticRegression(1500, 3, 5).write(data.resolve("regression")).dataDir();
  }

  /** What a listener saw: evaluation steps and checkpoint steps. */
  private static final class Recorder implements TrainingListener {
    final List<Long> evaluations = new ArrayList<>();
    final List<Long> checkpoints = new ArrayList<>();
    final long stopAt;

    Recorder(long stopAt) {
      this.stopAt = stopAt;
    }

    @Override
    public void onEvaluation(long step, Map<String, Double> metrics) {
      evaluations.add(step);
    }

    @Override
    public void onCheckpoint(long step, java.time.Duration saveTime) {
      checkpoints.add(step);
    }

    @Override
    public String stopReason(long step, Map<String, Double> metrics) {
      return step >= stopAt ? "stopped by the listener at " + step : null;
    }
  }

  private record Run(TrialResult result, Recorder recorder, Map<String, byte[]> checkpointFiles) {}

  private Run run(String name, String dataDir, Map<String, Object> params, int perRun, long steps, long stopAt)
      throws IOException {
    Path dir = trials.resolve(name + "-" + perRun);
    TrialSpec spec =
        TrialSpec.builder()
            .dataDir(dataDir)
            .trialDir(dir.toString())
            .trialId(name)
            .params(params)
            .seed(11)
            .trainSteps(steps)
            .evalEverySteps(30)
            .checkpointEverySteps(45)
            .maxCheckpointsToKeep(100)
            .deterministic(true)
            .intraOpThreads(1)
            .interOpThreads(1)
            .stepsPerExecution(perRun)
            .build();
    Recorder recorder = new Recorder(stopAt);
    TrialResult result = TrialRunner.run(spec, recorder);
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> all = Files.list(dir)) {
      for (Path f : all.toList()) {
        String file = f.getFileName().toString();
        if (file.startsWith("model.ckpt-") && !file.endsWith(".metrics.json")) {
          files.put(file, Files.readAllBytes(f));
        }
      }
    }
    return new Run(result, recorder, files);
  }

  private void assertSameTraining(String name, String dataDir, Map<String, Object> params, long steps, long stopAt)
      throws IOException {
    Run one = run(name, dataDir, params, 1, steps, stopAt);
    assertFalse(one.checkpointFiles().isEmpty(), "no checkpoint files in " + one.checkpointFiles().keySet());
    for (int perRun : new int[] {7, 20}) {
      Run block = run(name, dataDir, params, perRun, steps, stopAt);
      String what = name + " with " + perRun + " steps per run";
      assertEquals(withoutTime(one.result()), withoutTime(block.result()), what);
      assertEquals(one.recorder().evaluations, block.recorder().evaluations, what);
      assertEquals(one.recorder().checkpoints, block.recorder().checkpoints, what);
      assertEquals(one.checkpointFiles().keySet(), block.checkpointFiles().keySet(), what);
      one.checkpointFiles().forEach((file, bytes) -> assertArrayEquals(bytes, block.checkpointFiles().get(file), what + ": " + file));
    }
  }

  private static TrialResult withoutTime(TrialResult r) {
    return new TrialResult(
        r.trial(), r.status(), r.steps(), r.bestStep(), r.metrics(), r.history(), r.params(), r.seed(),
        r.error(), r.reason(), 0);
  }

  @Test
  void classificationWithDropoutAndDecayTrainsTheSameWhateverTheStepsPerRun() throws IOException {
    assertSameTraining(
        "penguins", penguins,
        Map.of("hidden_layers", "16,8", "dropout", 0.2, "learning_rate_decay", "cosine", "l2", 0.001),
        203, Long.MAX_VALUE);
  }

  @Test
  void regressionStoppedByTheListenerTrainsTheSameWhateverTheStepsPerRun() throws IOException {
    assertSameTraining("regression", regression, Map.of("optimizer", "rmsprop"), 400, 120);
    TrialResult stopped = run("regression-check", regression, Map.of("optimizer", "rmsprop"), 20, 400, 120).result();
    assertEquals(TrialStatus.STOPPED, stopped.status());
    assertEquals(120, stopped.steps());
  }
}
