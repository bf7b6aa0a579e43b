package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.ExportPipeline;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluations more frequent than checkpoints: the exported model is the winner's best evaluation,
 * and best.json, the {@code best:} line, results.jsonl and the checkpoint's sidecar agree on it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepBestCheckpointTest {
  static final String STUDY = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: QUASI_RANDOM
      maxTrials: 3
      seed: 5
      trainSteps: 300
      evalEverySteps: 20
      checkpointEverySteps: 100
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.003, max: 0.03, scale: LOG}
      fixed: {model: dnn, num_layers: 1, hidden_units: 16, batch_size: 32}
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static OutputLayout layout;
  static String studyFile;

  @BeforeAll
  static void preprocess() throws Exception {
    layout = PenguinsData.preprocessedOutput(tmp);
    studyFile = tmp.resolve("study.yaml").toString();
    Files.writeString(Path.of(studyFile), STUDY);
  }

  @Test
  @Order(1)
  void theExportedCheckpointIsTheWinnersBestEvaluation() throws Exception {
    SweepOutcome outcome = SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + studyFile, "--progressEverySeconds=0")
        .withValidation().as(SweepPipeline.Options.class));

    JsonNode bestJson = JSON.readTree(Path.of(layout.bestJson()).toFile());
    String winner = bestJson.path("trial").asText();
    long step = bestJson.path("step").asLong();
    double value = bestJson.path("metric").path("value").asDouble();
    TrialResult result = ResultsFiles.read(layout, StorageConfig.defaults()).stream()
        .filter(r -> r.trial().equals(winner)).findFirst().orElseThrow();

    // The winner's best evaluation is the best of its whole history, and results.jsonl names it.
    double bestEvaluated = result.history().stream().mapToDouble(e -> e.metric("eval_loss")).min().orElseThrow();
    assertEquals(bestEvaluated, value, result.toJson());
    assertEquals(result.bestStep(), step);
    assertEquals(result.metric("eval_loss"), value);
    Evaluation atStep = result.history().stream().filter(e -> e.step() == step).findFirst().orElseThrow();
    assertEquals(new TreeMap<>(atStep.metrics()), metrics(bestJson.path("metrics")));

    // The exported checkpoint is committed and its sidecar holds exactly those metrics.
    Checkpoint exported = committed(winner).stream().filter(c -> c.step() == step).findFirst()
        .orElseThrow(() -> new AssertionError("step " + step + " of " + winner + " is not committed"));
    assertEquals(new TreeMap<>(exported.metrics()), metrics(bestJson.path("metrics")));
    assertTrue(bestJson.path("checkpoint").asText().endsWith(winner + "/model.ckpt-" + step));
    assertTrue(Files.exists(Path.of(layout.best(), "model.ckpt-" + step + ".index")));

    // No trial has a committed checkpoint better than the exported one.
    for (TrialResult r : outcome.results()) {
      for (Checkpoint c : committed(r.trial())) {
        assertTrue(c.metric("eval_loss") >= value, r.trial() + " step " + c.step() + " beats the export");
      }
    }

    // The best: line says the same.
    assertTrue(outcome.summary().contains(String.format(Locale.ROOT,
        "best: %s eval_loss=%.4f at step %d", winner, value, step)), outcome.summary());
    // The evaluation cadence put the best between checkpoint steps, which is what this test is about.
    assertTrue(outcome.results().stream().anyMatch(r -> r.bestStep() % 100 != 0),
        outcome.results().stream().map(TrialResult::toJson).collect(Collectors.joining("\n")));
  }

  @Test
  @Order(2)
  void exportOfAnOlderOutputRanksByTheCheckpointsThatExist() throws Exception {
    // An older beamtrain: the best evaluation was not checkpointed. Give trial-0002 a best step
    // without a checkpoint and a value better than any trial's.
    Path jsonl = Path.of(layout.resultsJsonl());
    List<String> lines = new ArrayList<>();
    long fakeStep = -1;
    for (String line : Files.readAllLines(jsonl)) {
      ObjectNode node = (ObjectNode) JSON.readTree(line);
      if (node.path("trial").asText().equals("trial-0002")) {
        List<Long> checkpointed = committed("trial-0002").stream().map(Checkpoint::step).toList();
        for (JsonNode e : node.path("history")) {
          if (!checkpointed.contains(e.path("step").asLong())) {
            fakeStep = e.path("step").asLong();
            ((ObjectNode) e).put("eval_loss", 1e-6);
            break;
          }
        }
        node.put("best_step", fakeStep);
        ((ObjectNode) node.path("metrics")).put("eval_loss", 1e-6);
      }
      lines.add(JSON.writeValueAsString(node));
    }
    assertTrue(fakeStep > 0);
    Files.write(jsonl, lines);

    SweepOutcome outcome = ExportPipeline.run(PipelineOptionsFactory.fromArgs("--output=" + layout.root())
        .withValidation().as(ExportPipeline.Options.class));

    JsonNode bestJson = JSON.readTree(Path.of(layout.bestJson()).toFile());
    String winner = bestJson.path("trial").asText();
    long step = bestJson.path("step").asLong();
    double value = bestJson.path("metric").path("value").asDouble();
    assertFalse(winner.equals("trial-0002") && step == fakeStep, bestJson.toString());
    Checkpoint exported = committed(winner).stream().filter(c -> c.step() == step).findFirst().orElseThrow();
    assertEquals(exported.metric("eval_loss"), value);
    for (TrialResult r : outcome.results()) {
      for (Checkpoint c : committed(r.trial())) {
        assertTrue(c.metric("eval_loss") >= value, r.trial() + " step " + c.step() + " beats the export");
      }
    }
    assertTrue(outcome.summary().contains(String.format(Locale.ROOT,
        "best: %s eval_loss=%.4f at step %d", winner, value, step)), outcome.summary());
  }

  /** The checkpoints the trial's state file lists, with the metrics of their sidecars. */
  private static List<Checkpoint> committed(String trial) throws Exception {
    String dir = layout.trialDir(trial);
    List<Checkpoint> out = new ArrayList<>();
    for (String name : CheckpointManager.readState(dir, StorageConfig.defaults()).orElseThrow()
        .allModelCheckpointPaths()) {
      JsonNode sidecar = JSON.readTree(Path.of(dir, name + ".metrics.json").toFile());
      out.add(new Checkpoint(sidecar.path("step").asLong(), Path.of(dir, name).toString(), Instant.EPOCH,
          metrics(sidecar.path("metrics"))));
    }
    return out;
  }

  private static Map<String, Double> metrics(JsonNode node) {
    Map<String, Double> out = new TreeMap<>();
    node.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asDouble()));
    return out;
  }
}
