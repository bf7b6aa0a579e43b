package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.ModelMetrics;
import io.beamtrain.trainer.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real ASHA sweep on penguins with two metrics: its job log records every metric and it promotes. */
class MultiObjectiveAshaSweepTest {
  static final String STUDY = """
      metrics:
        - {metric: eval_loss, goal: MINIMIZE}
        - {metric: model_params, goal: MINIMIZE}
      algorithm: ASHA
      maxTrials: 6
      seed: 11
      trainSteps: 30
      evalEverySteps: 10
      checkpointEverySteps: 10
      search: {eta: 3, minBudget: 10, workers: 1}
      parameters:
        - {name: hidden_units, type: DISCRETE, values: [4, 8, 64]}
        - {name: learning_rate, type: DOUBLE, min: 0.01, max: 0.1, scale: LOG}
      fixed: {model: dnn, num_layers: 1}
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void promotesByParetoOrderOnTheMetricsItsJobLogRecords() throws Exception {
    OutputLayout layout = PenguinsData.preprocessedOutput(tmp);
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, STUDY);
    SweepOutcome outcome = SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + study, "--deterministic")
        .withValidation().as(SweepPipeline.Options.class));
    List<TrialResult> results = outcome.results();
    assertTrue(results.size() >= 3, results.toString());
    List<JsonNode> done = new ArrayList<>();
    List<JsonNode> claims = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(layout.root(), "search"))) {
      for (Path f : files.sorted().toList()) {
        (f.toString().endsWith(".done.json") ? done : claims).add(JSON.readTree(Files.readString(f)));
      }
    }
    for (JsonNode d : done) {
      assertTrue(d.get("metrics").has(ModelMetrics.MODEL_PARAMS) && d.get("metrics").has("eval_loss"), d.toString());
    }
    assertTrue(claims.stream().anyMatch(c -> c.get("rung").asInt() >= 1), "some trial was promoted: " + claims);
    assertEquals(true, Files.exists(Path.of(layout.paretoJson())));
  }
}
