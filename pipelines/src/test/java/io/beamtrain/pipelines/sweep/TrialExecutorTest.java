package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialExecutorTest {
  @TempDir static Path tmp;
  static OutputLayout layout;

  @BeforeAll
  static void preprocess() {
    layout = PenguinsData.preprocessedOutput(tmp);
  }

  private static TrialSettings settings() {
    return new TrialSettings(layout, layout.data(), MetricSpec.defaultMetric(),
        60, 15, 15, 0, 1, 1, StorageConfig.defaults(), true);
  }

  private static Trial trial(int index) {
    return trial(index, 1000L + index);
  }

  private static Trial trial(int index, long seed) {
    return new Trial(Trial.idOf(index), index,
        new TreeMap<>(Map.of("model", "linear", "learning_rate", 0.05)), seed);
  }

  private static TrialResult resultJson(String trial) throws Exception {
    String path = layout.resultJson(trial);
    return TrialResult.fromJson(Files.readString(Path.of(path)), path);
  }

  /** Throws at the evaluation of {@code step}: the attempt fails after its checkpoints at 15 and 30. */
  private static TrainingListener failingAt(long step) {
    return new TrainingListener() {
      @Override
      public void onEvaluation(long at, Map<String, Double> metrics) {
        if (at == step) {
          throw new IllegalStateException("simulated failure at step " + at);
        }
      }
    };
  }

  @Test
  void aFailedAttemptKeepsTheStepsAndHistoryTheTrialRecorded() throws Exception {
    TrialExecutor executor = new TrialExecutor(settings());
    Trial trial = trial(0);

    TrialResult failed = executor.execute(trial, failingAt(45));

    assertEquals(TrialStatus.FAILED, failed.status());
    assertTrue(failed.error().contains("simulated failure at step 45"), failed.error());
    assertEquals(30, failed.steps());
    assertEquals(List.of(15L, 30L), failed.history().stream().map(TrialResult.Evaluation::step).toList());
    assertNotNull(failed.bestStep());
    assertFalse(failed.metrics().isEmpty());
    assertEquals(failed, resultJson(trial.id()), "result.json is what results.jsonl gets");

    // A second failure (before any checkpoint) keeps it too, and adds its time.
    TrialResult again = executor.execute(trial, failingAt(45));
    assertEquals(failed.history(), again.history());
    assertTrue(again.elapsedSeconds() > failed.elapsedSeconds());

    TrialResult completed = executor.execute(trial);
    assertEquals(TrialStatus.COMPLETED, completed.status());
    assertEquals(List.of(15L, 30L, 45L, 60L), completed.history().stream().map(TrialResult.Evaluation::step).toList());
    assertEquals(failed.history(), completed.history().subList(0, 2));
  }

  @Test
  void aTruncatedNewestCheckpointResumesFromThePreviousOneInsteadOfFailing() throws Exception {
    TrialExecutor executor = new TrialExecutor(settings());
    TrialResult straight = executor.execute(trial(1, 77));
    Trial trial = trial(2, 77);
    TrialResult failed = executor.execute(trial, failingAt(60));
    assertEquals(45, failed.steps());
    Path data = Path.of(layout.trialDir(trial.id()), "model.ckpt-45.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(bytes, bytes.length - 3));

    TrialResult resumed = executor.execute(trial);

    assertEquals(TrialStatus.COMPLETED, resumed.status(), resumed.toJson());
    assertEquals(straight.history(), resumed.history());
    assertEquals(straight.metrics(), resumed.metrics());
  }
}
