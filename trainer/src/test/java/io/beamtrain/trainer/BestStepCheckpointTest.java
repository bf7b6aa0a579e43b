package io.beamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.testing.DataDirFixture;
import io.beamtrain.trainer.train.TrainingListener;
import io.beamtrain.trainer.train.TrialRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluations more frequent than checkpoints: the trial's best evaluation must still have a
 * committed checkpoint that retention keeps, and best_step / metrics must describe it.
 */
class BestStepCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;
  @TempDir Path trials;
  static String penguins;

  @BeforeAll
  static void writeData() {
    penguins = DataDirFixture.penguins().write(data.resolve("penguins")).dataDir();
  }

  /** Eval every 10 steps, checkpoint every 100, keep only the latest one plus the best. */
  private TrialSpec.Builder spec(String name, MetricSpec metric) {
    return TrialSpec.builder()
        .dataDir(penguins)
        .trialDir(trials.resolve(name).toString())
        .seed(17)
        .params(Map.of("learning_rate", 0.01))
        .metric(metric)
        .trainSteps(300)
        .evalEverySteps(10)
        .checkpointEverySteps(100)
        .maxCheckpointsToKeep(1)
        .intraOpThreads(1)
        .interOpThreads(1);
  }

  @Test
  void theBestEvaluationBetweenCheckpointsIsCheckpointedAndSurvivesRetention() throws IOException {
    for (MetricSpec metric : List.of(
        new MetricSpec(MetricSpec.EVAL_LOSS, Goal.MINIMIZE),
        new MetricSpec(MetricSpec.EVAL_ACCURACY, Goal.MAXIMIZE))) {
      TrialSpec spec = spec("trial-" + metric.name(), metric).build();
      TrialResult result = TrialRunner.run(spec);

      assertEquals(TrialStatus.COMPLETED, result.status());
      assertBestIsTheBestEvaluation(result, metric);
      assertBestIsCommitted(spec, result);
    }
  }

  @Test
  void aTrialResumedAfterACrashKeepsItsBestCheckpoint() throws IOException {
    MetricSpec loss = new MetricSpec(MetricSpec.EVAL_LOSS, Goal.MINIMIZE);
    TrialResult straight = TrialRunner.run(spec("straight", loss).build());

    TrialSpec spec = spec("crashed", loss).build();
    TrainingListener crashAt250 = new TrainingListener() {
      @Override
      public void onEvaluation(long step, Map<String, Double> metrics) {
        if (step == 250) {
          throw new IllegalStateException("simulated crash");
        }
      }
    };
    assertThrows(IllegalStateException.class, () -> TrialRunner.run(spec, crashAt250));
    TrialResult resumed = TrialRunner.run(spec);

    assertEquals(straight.bestStep(), resumed.bestStep());
    assertEquals(straight.metrics(), resumed.metrics());
    assertBestIsCommitted(spec, resumed);
  }

  /** best_step is the best finite value of the history (the later step on a tie), metrics its values. */
  private static void assertBestIsTheBestEvaluation(TrialResult result, MetricSpec metric) {
    double best = metric.goal().worst();
    for (Evaluation e : result.history()) {
      if (metric.goal().isBetter(e.metric(metric.name()), best)) {
        best = e.metric(metric.name());
      }
    }
    assertEquals(best, result.metric(metric.name()), result.toJson());
    Evaluation atBest = result.history().stream()
        .filter(e -> e.step() == result.bestStep()).findFirst().orElseThrow();
    assertEquals(atBest.metrics(), result.metrics());
    // The sweep is only meaningful when the best lies between checkpoint steps.
    assertNotEquals(0, firstStepWith(result, metric, best) % 100, "best at a checkpoint step anyway: " + result.toJson());
  }

  private static long firstStepWith(TrialResult result, MetricSpec metric, double value) {
    return result.history().stream()
        .filter(e -> e.metric(metric.name()) == value).findFirst().orElseThrow().step();
  }

  /** The state file lists model.ckpt-<best_step>, and its sidecar holds the result's metrics. */
  private static void assertBestIsCommitted(TrialSpec spec, TrialResult result) throws IOException {
    List<String> listed = CheckpointManager.readState(spec.trialDir(), StorageConfig.defaults())
        .orElseThrow().allModelCheckpointPaths();
    String name = "model.ckpt-" + result.bestStep();
    assertTrue(listed.contains(name), name + " not among the committed " + listed + " " + result.toJson());
    JsonNode sidecar = JSON.readTree(Path.of(spec.trialDir(), name + ".metrics.json").toFile());
    Map<String, Double> metrics = new TreeMap<>();
    sidecar.path("metrics").fields().forEachRemaining(f -> metrics.put(f.getKey(), f.getValue().asDouble()));
    assertEquals(new TreeMap<>(result.metrics()), metrics);
  }
}
