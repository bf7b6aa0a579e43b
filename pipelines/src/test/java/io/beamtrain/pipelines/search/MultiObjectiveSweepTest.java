package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.commands.ExportPipeline;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.sweep.ParetoOrder;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.ModelMetrics;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real NSGA2 sweep on penguins with two metrics and a size constraint, end to end. */
class MultiObjectiveSweepTest {
  static final String STUDY = """
      metrics:
        - {metric: eval_loss, goal: MINIMIZE}
        - {metric: model_params, goal: MINIMIZE}
      constraints: [{metric: model_params, max: 300}]
      algorithm: NSGA2
      maxTrials: 6
      seed: 11
      trainSteps: 30
      evalEverySteps: 15
      checkpointEverySteps: 15
      search: {roundSize: 3}
      parameters:
        - {name: hidden_units, type: DISCRETE, values: [4, 8, 64]}
        - {name: learning_rate, type: DOUBLE, min: 0.01, max: 0.1, scale: LOG}
      fixed: {model: dnn, num_layers: 1}
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void recordsModelMetricsTheFrontAndInfeasibleTrialsAndExportsOnlyFeasibleOnes() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    OutputLayout layout = new OutputLayout(tmp.resolve("out").toString());
    PenguinsData.preprocess(input, layout.root(), StorageConfig.defaults());
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, STUDY);
    SweepOutcome outcome = SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + study, "--trialsPerWorker=2")
        .withValidation().as(SweepPipeline.Options.class));

    StudySpec spec = StudySpecParser.parse(STUDY, "study.yaml");
    List<TrialResult> results = outcome.results();
    assertEquals(6, results.size());
    for (TrialResult r : results) {
      assertEquals(TrialStatus.COMPLETED, r.status(), r.toJson());
      assertTrue(r.metric(ModelMetrics.MODEL_PARAMS) > 0, r.toJson());
      assertTrue(r.metric(ModelMetrics.SERVING_LATENCY_MS) > 0, r.toJson());
    }
    // results.jsonl and results.csv carry every metric.
    String csv = Files.readString(Path.of(layout.resultsCsv()));
    assertTrue(csv.lines().findFirst().orElseThrow().contains("model_params"), csv);
    assertTrue(Files.readString(Path.of(layout.resultsJsonl())).contains("serving_latency_ms"));

    JsonNode pareto = JSON.readTree(Files.readString(Path.of(layout.paretoJson())));
    List<String> front = new ArrayList<>();
    pareto.get("front").forEach(n -> front.add(n.get("trial").asText()));
    List<String> infeasible = new ArrayList<>();
    pareto.get("infeasible").forEach(n -> infeasible.add(n.get("trial").asText()));
    assertEquals(new ParetoOrder(spec.objectives()).front(results).stream().map(TrialResult::trial).toList(), front);
    for (TrialResult r : results) {
      boolean big = r.metric(ModelMetrics.MODEL_PARAMS) > 300;
      assertEquals(big, infeasible.contains(r.trial()), r.toJson());
      assertFalse(big && front.contains(r.trial()), r.toJson());
    }
    assertFalse(infeasible.isEmpty(), "hidden_units 64 breaks model_params <= 300: " + results);
    assertTrue(pareto.get("front").get(0).get("metrics").has("serving_latency_ms"));

    // best/ is the feasible trial of lowest eval_loss (the select default: the first metric).
    TrialResult expected = results.stream().filter(r -> r.metric(ModelMetrics.MODEL_PARAMS) <= 300)
        .min(Comparator.comparingDouble((TrialResult r) -> r.metric("eval_loss")).thenComparing(TrialResult::trial))
        .orElseThrow();
    assertEquals(expected.trial(), outcome.best().trial());
    assertTrue(front.contains(outcome.best().trial()));
    JsonNode bestJson = JSON.readTree(Files.readString(Path.of(layout.bestJson())));
    assertEquals(expected.metric(ModelMetrics.MODEL_PARAMS), bestJson.get("metrics").get("model_params").asDouble());
    // study.json records the objectives resolved and reads back to the same study.
    StudySpec ran = StudySpecParser.parse(Files.readString(Path.of(layout.studyJson())), "study.json");
    assertEquals(spec.objectives(), ran.objectives());

    // export --trial exports another trial; an infeasible one is refused with the flag named.
    String other = results.stream().map(TrialResult::trial)
        .filter(t -> !t.equals(expected.trial()) && !infeasible.contains(t)).findFirst().orElseThrow();
    ExportPipeline.run(PipelineOptionsFactory.fromArgs("--output=" + layout.root(), "--trial=" + other)
        .withValidation().as(ExportPipeline.Options.class));
    assertEquals(other, JSON.readTree(Files.readString(Path.of(layout.bestJson()))).get("trial").asText());
    UsageException refused = assertThrows(UsageException.class, () -> ExportPipeline.run(
        PipelineOptionsFactory.fromArgs("--output=" + layout.root(), "--trial=" + infeasible.get(0))
            .withValidation().as(ExportPipeline.Options.class)));
    assertTrue(refused.getMessage().startsWith("--trial: " + infeasible.get(0) + " is infeasible (breaks model_params <= 300.0"),
        refused.getMessage());
  }
}
