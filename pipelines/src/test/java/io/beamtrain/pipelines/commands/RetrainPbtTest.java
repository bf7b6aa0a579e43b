package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.retrain.RetrainSlices;
import io.beamtrain.pipelines.commands.RetrainPipelineTest.Run;
import io.beamtrain.pipelines.retrain.ModelCard;
import io.beamtrain.pipelines.retrain.ModelRegistry;
import io.beamtrain.pipelines.retrain.RunRecord;
import io.beamtrain.pipelines.retrain.RunStatus;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamtrain retrain --deterministic} with a PBT study against a champion: the nightly PBT
 * population warm-started from the champion, on the penguins slices of {@link RetrainPipelineTest}.
 */
class RetrainPbtTest {
  /** The champion's architecture (RetrainPipelineTest.STUDY), so every member warm-starts from it. */
  static final String PBT_STUDY = """
      metric: {name: eval_accuracy, goal: MAXIMIZE}
      algorithm: PBT
      seed: 11
      trainSteps: 40
      evalEverySteps: 10
      checkpointEverySteps: 20
      search: {populationSize: 4, perturbationInterval: 20, quantile: 0.25}
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.0005, max: 0.005, scale: LOG}
        - {name: dropout, type: DOUBLE, min: 0.0, max: 0.2}
      fixed: {model: dnn, hidden_units: 16, num_layers: 1, batch_size: 32}
      """;

  @TempDir static Path tmp;

  /** {@code beamtrain retrain} through the CLI on slice {@code slice}, with {@code study}. */
  static Run retrain(Path registry, String slice, Path study, String... more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    String[] args = Stream.concat(
            Stream.of("retrain", "--input=" + tmp.resolve("slices").resolve(slice) + "/*.csv",
                "--models=" + registry, "--label=species", "--study=" + study, "--deterministic"),
            Stream.of(more))
        .toArray(String[]::new);
    int status = new Cli(print, print, Commands.all()).run(args);
    return new Run(status, out.toString(StandardCharsets.UTF_8));
  }

  static Path write(String relative, String text) throws IOException {
    Path path = tmp.resolve(relative);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, text);
  }

  @Test
  void pbtPopulationStartsFromTheChampionExploitsAndIsDecidedIdenticallyRunToRun() throws IOException {
    RetrainSlices slices = RetrainSlices.penguins(3);
    write("slices/a/part.csv", slices.csv(0, 172));
    write("slices/b/part.csv", slices.csv(172, slices.size()));
    Path grid = write("grid.yaml", RetrainPipelineTest.STUDY);
    Path pbt = write("pbt.yaml", PBT_STUDY);
    // A strong champion: 300 steps on slice a.
    Path first = tmp.resolve("registry-1");
    Run champion = retrain(first, "a", grid, "--trainSteps=300");
    assertEquals(0, champion.status(), champion.log());
    Path second = tmp.resolve("registry-2");
    copyTree(first, second);
    String championVersion = RetrainPipelineTest.latest(first);

    Run run = retrainPbt(first, pbt);
    assertEquals(0, run.status(), run.log());
    RunRecord record = RetrainPipelineTest.recordOf(first, run);

    // The champion/challenger decision: against the champion, on the same rows, consistent with the scores.
    assertEquals(championVersion, record.parent());
    assertEquals(record.champion().rows(), record.challenger().rows());
    boolean better = record.challenger().value() > record.champion().value();
    assertEquals(better ? RunStatus.PROMOTED : RunStatus.REJECTED, record.status(), record.reason());
    if (better) {
      ModelCard card = RetrainPipelineTest.card(first, RetrainPipelineTest.latest(first));
      ModelCard parent = RetrainPipelineTest.card(first, championVersion);
      assertEquals(first.resolve(championVersion).resolve(parent.checkpoint()).toString(), card.warmStartedFrom());
    } else {
      assertEquals(championVersion, RetrainPipelineTest.latest(first));
    }

    OutputLayout layout = new OutputLayout(first.resolve(ModelRegistry.RUNS).resolve(record.run()).toString());
    List<TrialResult> members = results(layout);
    assertEquals(4, members.size());
    for (TrialResult m : members) {
      assertEquals(TrialStatus.COMPLETED, m.status(), m.toString());
      assertEquals(40, m.steps());
      // Warm-started: after only 10 steps every member is about as good as the champion (a member
      // from random weights with these learning rates is far from it at step 10).
      double atTen = m.history().stream().filter(e -> e.step() == 10).findFirst().orElseThrow()
          .metric("eval_accuracy");
      assertTrue(atTen >= record.champion().value() - 0.1,
          m.trial() + " at step 10: " + atTen + ", champion " + record.champion().value() + ": not warm-started");
    }
    List<TrialResult> exploited = members.stream().filter(m -> !m.lineage().isEmpty()).toList();
    assertFalse(exploited.isEmpty(), "the bottom quarter takes a top member's checkpoint at step 20");
    for (TrialResult m : exploited) {
      TrialResult.Exploit e = m.lineage().get(0);
      assertEquals(20, e.step(), e.toString());
      assertNotEquals(m.trial(), e.donor());
      assertNotEquals(e.before().get("learning_rate"), e.after().get("learning_rate"), "explored: " + e);
    }
    assertTrue(Files.exists(Path.of(layout.jobLog(), "pbt-000020.json")));

    // --deterministic: the same run against a copy of the registry decides and trains identically.
    Run again = retrainPbt(second, pbt);
    assertEquals(0, again.status(), again.log());
    RunRecord record2 = RetrainPipelineTest.recordOf(second, again);
    assertEquals(record.run(), record2.run());
    assertEquals(record.status(), record2.status());
    assertEquals(record.challenger().value(), record2.challenger().value());
    OutputLayout layout2 = new OutputLayout(second.resolve(ModelRegistry.RUNS).resolve(record.run()).toString());
    assertEquals(resultsText(layout), resultsText(layout2));
  }

  private static Run retrainPbt(Path registry, Path study) {
    return retrain(registry, "b", study, "--reuseChampionParams=false", "--trialsPerWorker=2");
  }

  private static List<TrialResult> results(OutputLayout layout) throws IOException {
    return Files.readAllLines(Path.of(layout.resultsJsonl())).stream()
        .map(l -> TrialResult.fromJson(l, layout.resultsJsonl())).toList();
  }

  /** results.jsonl without the timings, which differ from run to run. */
  private static String resultsText(OutputLayout layout) throws IOException {
    return Files.readAllLines(Path.of(layout.resultsJsonl())).stream()
        .map(l -> l.replaceAll("\"elapsed_seconds\":[0-9.eE-]+", ""))
        .sorted().collect(Collectors.joining("\n"));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
