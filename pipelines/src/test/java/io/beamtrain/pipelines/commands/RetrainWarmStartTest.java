package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.commands.RetrainPipelineTest.Run;
import io.beamtrain.pipelines.retrain.ModelRegistry;
import io.beamtrain.pipelines.retrain.RetrainSlices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nightly retrain with a TPE study warm-starts its search from the registry's finished runs
 * by default: the second night's study.json records the first run's trials as taken and its
 * first round is model-based; {@code --warmStartFromRegistry=false} searches blind.
 */
class RetrainWarmStartTest {
  static final String TPE_STUDY = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: TPE
      maxTrials: 4
      seed: 7
      trainSteps: 20
      evalEverySteps: 10
      checkpointEverySteps: 10
      search: {roundSize: 2}
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1, scale: LOG}
        - {name: hidden_units, type: DISCRETE, values: [4, 8, 16]}
      fixed: {model: dnn, num_layers: 1, batch_size: 32}
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private Run retrain(Path registry, String slice, String... more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    String[] args = Stream.concat(
            Stream.of("retrain", "--input=" + tmp.resolve("slices").resolve(slice) + "/*.csv",
                "--models=" + registry, "--label=species", "--study=" + tmp.resolve("tpe.yaml"),
                "--deterministic", "--reuseChampionParams=false"),
            Stream.of(more))
        .toArray(String[]::new);
    int status = new Cli(print, print, Commands.all()).run(args);
    return new Run(status, out.toString(StandardCharsets.UTF_8));
  }

  private JsonNode runFile(Path registry, Run run, String file) throws IOException {
    assertEquals(0, run.status(), run.log());
    String id = RetrainPipelineTest.recordOf(registry, run).run();
    return JSON.readTree(Files.readString(registry.resolve(ModelRegistry.RUNS).resolve(id).resolve(file)));
  }

  private JsonNode firstTrialParams(Path registry, Run run) throws IOException {
    return runFile(registry, run, "trials/trial-0000/params.json");
  }

  @Test
  void aNightlyTpeStudyStartsFromTheRegistrysEarlierRuns() throws IOException {
    RetrainSlices slices = RetrainSlices.penguins(3);
    Files.createDirectories(tmp.resolve("slices/a"));
    Files.createDirectories(tmp.resolve("slices/b"));
    Files.writeString(tmp.resolve("slices/a/part.csv"), slices.csv(0, 172));
    Files.writeString(tmp.resolve("slices/b/part.csv"), slices.csv(172, slices.size()));
    Files.writeString(tmp.resolve("tpe.yaml"), TPE_STUDY);
    Path registry = tmp.resolve("models");

    Run first = retrain(registry, "a");
    assertFalse(runFile(registry, first, "study.json").has("warmStart"), "no earlier run: no warm start");
    String firstRun = RetrainPipelineTest.recordOf(registry, first).run();

    Run second = retrain(registry, "b");
    JsonNode warm = runFile(registry, second, "study.json").get("warmStart");
    assertEquals(registry.resolve(ModelRegistry.RUNS).resolve(firstRun).toString(), warm.get("from").get(0).asText());
    assertEquals(4, warm.get("taken").get(0).get("trials").asInt(), warm.toString());
    // With 4 earlier trials standing in for the 2 startup trials, trial 0 is TPE's, not the
    // study's first Sobol point (which the first night, same study and seed, trained).
    assertNotEquals(firstTrialParams(registry, first).get("params"), firstTrialParams(registry, second).get("params"));

    Run blind = retrain(registry, "b", "--warmStartFromRegistry=false");
    assertFalse(runFile(registry, blind, "study.json").has("warmStart"));
    assertEquals(firstTrialParams(registry, first).get("params"), firstTrialParams(registry, blind).get("params"));
  }
}
