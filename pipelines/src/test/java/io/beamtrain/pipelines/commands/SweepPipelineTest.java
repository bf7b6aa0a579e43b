package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** A small sweep end to end on penguins: preprocess, sweep, export, re-run, re-export. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class SweepPipelineTest {
  static final String STUDY = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: QUASI_RANDOM
      maxTrials: 3
      seed: 11
      trainSteps: 300
      evalEverySteps: 100
      checkpointEverySteps: 100
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.01, max: 0.05, scale: LOG}
        - {name: hidden_units, type: DISCRETE, values: [16, 32]}
      fixed: {model: dnn, num_layers: 1, batch_size: 32}
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

  static SweepPipeline.Options options() {
    return PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + studyFile, "--progressEverySeconds=1")
        .withValidation()
        .as(SweepPipeline.Options.class);
  }

  @Test
  @Order(1)
  void sweepTrainsEveryTrialAndExportsAnAccurateBestModel() throws Exception {
    SweepOutcome outcome = SweepPipeline.run(options());

    List<String> lines = Files.readAllLines(Path.of(layout.resultsJsonl()));
    assertEquals(3, lines.size());
    for (int i = 0; i < 3; i++) {
      TrialResult r = TrialResult.fromJson(lines.get(i), "line " + i);
      assertEquals(String.format("trial-%04d", i), r.trial());
      assertEquals(TrialStatus.COMPLETED, r.status());
      assertEquals(300, r.steps());
    }
    assertEquals(4, Files.readAllLines(Path.of(layout.resultsCsv())).size());
    assertTrue(Files.exists(Path.of(layout.studyJson())));

    TrialResult best = outcome.best();
    assertTrue(best.metric("eval_accuracy") >= 0.95, outcome.summary());
    for (TrialResult r : outcome.results()) {
      assertTrue(best.metric("eval_loss") <= r.metric("eval_loss"), "best has the lowest loss");
    }

    JsonNode bestJson = JSON.readTree(Path.of(layout.bestJson()).toFile());
    assertEquals(best.trial(), bestJson.path("trial").asText());
    assertEquals("eval_loss", bestJson.path("metric").path("name").asText());
    assertEquals("MINIMIZE", bestJson.path("metric").path("goal").asText());
    assertEquals(best.metric("eval_loss"), bestJson.path("metric").path("value").asDouble(), 1e-12);
    assertEquals((long) best.bestStep(), bestJson.path("step").asLong());
    assertEquals(best.params().get("learning_rate"), bestJson.path("params").path("learning_rate").asDouble());
    assertTrue(bestJson.path("checkpoint").asText().endsWith(best.trial() + "/model.ckpt-" + best.bestStep()));
    Path bestDir = Path.of(layout.best());
    assertTrue(Files.exists(bestDir.resolve("model.meta")));
    assertTrue(Files.exists(bestDir.resolve("model.ckpt-" + best.bestStep() + ".index")));
    assertTrue(Files.exists(bestDir.resolve("checkpoint")));
    assertTrue(Files.exists(bestDir.resolve("saved_model/saved_model.pb")));
    assertTrue(outcome.summary().contains("best: " + best.trial()), outcome.summary());
  }

  @Test
  @Order(2)
  void reRunningResumesInsteadOfRetraining() throws Exception {
    Path checkpoint = Path.of(layout.trialDir("trial-0000"), "model.ckpt-300.index");
    FileTime before = Files.getLastModifiedTime(checkpoint);
    List<String> first = withoutElapsed(Files.readAllLines(Path.of(layout.resultsJsonl())));

    SweepPipeline.run(options());

    assertEquals(before, Files.getLastModifiedTime(checkpoint), "the finished trial was retrained");
    assertEquals(first, withoutElapsed(Files.readAllLines(Path.of(layout.resultsJsonl()))));
  }

  @Test
  @Order(3)
  void exportSelectsTheSameWinnerAgain() throws Exception {
    String winner = JSON.readTree(Path.of(layout.bestJson()).toFile()).path("trial").asText();
    try (Stream<Path> files = Files.walk(Path.of(layout.best()))) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
    ExportPipeline.Options options = PipelineOptionsFactory.fromArgs("--output=" + layout.root())
        .withValidation().as(ExportPipeline.Options.class);
    SweepOutcome outcome = ExportPipeline.run(options);
    assertEquals(winner, outcome.best().trial());
    assertEquals(winner, JSON.readTree(Path.of(layout.bestJson()).toFile()).path("trial").asText());
    assertTrue(Files.exists(Path.of(layout.savedModel(), "saved_model.pb")));
  }

  @Test
  @Order(4)
  void whenEveryTrialFailsTheSweepFailsButRecordsEveryError() throws Exception {
    OutputLayout broken = new OutputLayout(tmp.resolve("broken").toString());
    Files.createDirectories(Path.of(broken.data()));
    try (Stream<Path> files = Files.list(Path.of(layout.data()))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = file.getFileName().toString().startsWith("train-")
            ? "not a tfrecord file".getBytes(StandardCharsets.UTF_8)
            : Files.readAllBytes(file);
        Files.write(Path.of(broken.data()).resolve(file.getFileName()), bytes);
      }
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true), Commands.all())
        .run("sweep", "--output=" + broken.root(), "--study=" + studyFile, "--progressEverySeconds=0");
    String message = err.toString();
    assertEquals(1, status, message);
    assertTrue(message.startsWith("beamtrain sweep: failed: all 3 trials failed; trial-0000 FAILED: "), message);
    List<String> lines = Files.readAllLines(Path.of(broken.resultsJsonl()));
    assertEquals(3, lines.size());
    for (String line : lines) {
      TrialResult r = TrialResult.fromJson(line, broken.resultsJsonl());
      assertEquals(TrialStatus.FAILED, r.status());
      assertTrue(r.error().contains("train-"), r.error());
    }
    assertTrue(Files.notExists(Path.of(broken.bestJson())));
  }

  /** The lines without the wall-clock fields (training time, serving latency), for comparing runs. */
  public static List<String> withoutElapsed(List<String> lines) {
    return lines.stream().map(l -> l.replaceAll("\"elapsed_seconds\":[0-9.Ee+-]+", "")
        .replaceAll("\"serving_latency_ms\":[0-9.Ee+-]+", "")).toList();
  }
}
