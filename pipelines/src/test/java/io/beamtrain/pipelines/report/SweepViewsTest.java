package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.events.HParamsEventFile;
import io.beamtrain.trainer.events.HParamsSessions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep leaves report.html and TensorBoard HParams files; `beamtrain report` rewrites the page. */
class SweepViewsTest {
  private static final String STUDY = """
      metric: {name: eval_accuracy, goal: MAXIMIZE}
      algorithm: RANDOM
      maxTrials: 2
      seed: 3
      trainSteps: 100
      evalEverySteps: 50
      checkpointEverySteps: 100
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.01, max: 0.05, scale: LOG}
      fixed: {model: dnn, hidden_units: 16, num_layers: 1, batch_size: 32}
      """;

  @TempDir static Path tmp;
  static OutputLayout layout;
  static SweepOutcome outcome;

  @BeforeAll
  static void sweep() throws IOException {
    layout = PenguinsData.preprocessedOutput(tmp);
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, STUDY);
    outcome = SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + study, "--progressEverySeconds=60")
        .withValidation()
        .as(SweepPipeline.Options.class));
  }

  @Test
  void sweepWritesTheReportNamingEveryTrial() throws IOException {
    String html = Files.readString(Path.of(layout.reportHtml()));
    assertTrue(html.contains("trial-0000") && html.contains("trial-0001"), "both trials in the report");
    assertTrue(html.contains("eval_accuracy"), "the study metric in the report");
    assertTrue(outcome.summary().contains(layout.reportHtml()), outcome.summary());
  }

  @Test
  void sweepWritesTheHParamsExperimentAndOneSessionPerTrial() throws IOException {
    assertEquals(1, hparamsFiles(Path.of(layout.root()), HParamsEventFile.SUFFIX), "experiment summary at the sweep root");
    for (String trial : List.of("trial-0000", "trial-0001")) {
      Path dir = Path.of(layout.trialDir(trial));
      assertEquals(1, hparamsFiles(dir, HParamsEventFile.SUFFIX), trial + ": one session start");
      assertEquals(1, hparamsFiles(dir, HParamsSessions.END_SUFFIX), trial + ": one session end");
    }
  }

  @Test
  void reportCommandRewritesThePageAndRejectsAnOutputWithoutASweep() throws IOException {
    Files.delete(Path.of(layout.reportHtml()));
    assertEquals(0, cli("report", "--output=" + layout.root()));
    assertTrue(Files.exists(Path.of(layout.reportHtml())));

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, cli(err, "report", "--output=" + empty));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains(empty.toString()), err.toString());
  }

  private static long hparamsFiles(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    }
  }

  private static int cli(String... args) {
    return cli(new ByteArrayOutputStream(), args);
  }

  private static int cli(ByteArrayOutputStream err, String... args) {
    return new Cli(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), Commands.all())
        .run(args);
  }
}
