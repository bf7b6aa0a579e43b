package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real TPE sweep on penguins over a conditional space: momentum for one optimizer, a width per layer. */
class ConditionalSweepTest {
  static final String STUDY = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: TPE
      maxTrials: 6
      seed: 3
      trainSteps: 30
      evalEverySteps: 15
      checkpointEverySteps: 15
      search: {roundSize: 3}
      parameters:
        - {name: optimizer, type: CATEGORICAL, values: [adam, momentum]}
        - {name: momentum, type: DOUBLE, min: 0.5, max: 0.99, when: {optimizer: [momentum]}}
        - {name: num_layers, type: INTEGER, min: 1, max: 2}
        - {name: units_2, type: DISCRETE, values: [4, 16], when: {num_layers: [2]}}
        - {name: learning_rate, type: DOUBLE, min: 0.01, max: 0.1, scale: LOG}
      fixed: {model: dnn, hidden_units: 8}
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void trialsTrainWithTheirActiveParametersOnlyAndStudyJsonKeepsTheTree() throws Exception {
    OutputLayout layout = PenguinsData.preprocessedOutput(tmp);
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, STUDY);
    SweepOutcome outcome = SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + study, "--trialsPerWorker=2")
        .withValidation().as(SweepPipeline.Options.class));

    List<TrialResult> results = outcome.results();
    assertEquals(6, results.size());
    Set<Set<String>> shapes = new HashSet<>();
    for (TrialResult r : results) {
      assertEquals(TrialStatus.COMPLETED, r.status(), r.toJson());
      Map<String, Object> p = r.params();
      assertEquals("momentum".equals(p.get("optimizer")), p.containsKey("momentum"), r.toJson());
      assertEquals(((Number) p.get("num_layers")).intValue() == 2, p.containsKey("units_2"), r.toJson());
      // params.json, what a resumed run and export read, holds the same (no dummy values).
      JsonNode params = JSON.readTree(Files.readString(Path.of(layout.trialDir(r.trial()), "params.json")));
      assertEquals(p.containsKey("momentum"), params.toString().contains("\"momentum\""), params.toString());
      shapes.add(p.keySet());
    }
    assertTrue(shapes.size() > 1, "the trials take more than one branch of the tree: " + shapes);
    // study.json records the conditions and reads back to the same study.
    StudySpec ran = StudySpecParser.parse(Files.readString(Path.of(layout.studyJson())), "study.json");
    assertEquals(StudySpecParser.parse(STUDY, "study.yaml").parameters(), ran.parameters());
  }
}
