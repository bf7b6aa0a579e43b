package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamtrain sweep --deterministic} with a PBT study on penguins, end to end. */
class PopulationBasedTrainingTest {
  static final String STUDY = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: PBT
      seed: 11
      trainSteps: 60
      evalEverySteps: 10
      checkpointEverySteps: 20
      search: {populationSize: 4, perturbationInterval: 20, quantile: 0.25}
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.0005, max: 0.3, scale: LOG}
        - {name: dropout, type: DOUBLE, min: 0.0, max: 0.4}
      fixed: {model: dnn, hidden_units: 8, num_layers: 1, batch_size: 32}
      """;

  @TempDir static Path tmp;
  static String data;
  static Path study;

  @BeforeAll
  static void preprocess() throws IOException {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    data = tmp.resolve("data-run").toString();
    PenguinsData.preprocess(input, data, StorageConfig.defaults());
    study = tmp.resolve("pbt.yaml");
    Files.writeString(study, STUDY);
  }

  private static OutputLayout outputWithData(String name) throws IOException {
    Path out = tmp.resolve(name);
    copyTree(Path.of(data, "data"), out.resolve("data"));
    return new OutputLayout(out.toString());
  }

  private static SweepOutcome sweep(OutputLayout out) {
    return SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + out.root(), "--study=" + study, "--deterministic", "--trialsPerWorker=2")
        .withValidation().as(SweepPipeline.Options.class));
  }

  /** results.jsonl without the timings, which differ from run to run. */
  private static String results(OutputLayout out) throws IOException {
    return Files.readAllLines(Path.of(out.resultsJsonl())).stream()
        .map(l -> l.replaceAll("\"elapsed_seconds\":[0-9.eE-]+", ""))
        .sorted().collect(Collectors.joining("\n"));
  }

  @Test
  void membersExploitAndExploreWithRecordedLineageIdenticallyRunToRunAndResumeAfterACrash() throws IOException {
    OutputLayout first = outputWithData("first");
    SweepOutcome outcome = sweep(first);

    assertEquals(4, outcome.results().size());
    for (TrialResult r : outcome.results()) {
      assertEquals(TrialStatus.COMPLETED, r.status(), r.toString());
      assertEquals(60, r.steps());
    }
    List<TrialResult> exploited = outcome.results().stream().filter(r -> !r.lineage().isEmpty()).toList();
    assertFalse(exploited.isEmpty(), "two exploits of one member each (quantile 1/4 of 4)");
    for (TrialResult r : exploited) {
      for (TrialResult.Exploit e : r.lineage()) {
        assertTrue(e.step() == 20 || e.step() == 40, e.toString());
        assertNotEquals(r.trial(), e.donor());
        assertNotEquals(e.before().get("learning_rate"), e.after().get("learning_rate"), "explored: " + e);
        assertEquals(8, ((Number) e.after().get("hidden_units")).intValue());
      }
      // The recipient's history up to the exploit is its donor's: the checkpoint it trains on.
      assertEquals(r.lineage().get(0).step(), r.history().stream().filter(h -> h.step() <= r.lineage().get(0).step())
          .reduce((a, b) -> b).orElseThrow().step());
    }
    assertTrue(Files.exists(Path.of(first.jobLog(), "pbt-000020.json")));
    assertTrue(Files.exists(Path.of(first.root(), "best", "saved_model", "saved_model.pb")));
    assertTrue(Files.readString(Path.of(first.root(), "report.html")).contains("Lineage"),
        "the report shows the exploits");

    // --deterministic: the same again, byte for byte but for the timings.
    OutputLayout second = outputWithData("second");
    sweep(second);
    assertEquals(results(first), results(second));

    // A crash after generation 1 trained (its exploit record is unreadable, so the run dies there),
    // then the re-run: it keeps the trained generations and ends as an uninterrupted run.
    OutputLayout crashed = outputWithData("crashed");
    Path blocker = Path.of(crashed.jobLog(), "pbt-000040.json");
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "{not json");
    assertThrows(RuntimeException.class, () -> sweep(crashed));
    for (TrialResult r : outcome.results()) {
      long step = CheckpointManager.latestCheckpoint(crashed.trialDir(r.trial()), StorageConfig.defaults())
          .orElseThrow().step();
      assertEquals(40, step, r.trial() + " trained generation 1 before the crash");
    }
    Files.delete(blocker);
    sweep(crashed);
    assertEquals(results(first), results(crashed));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
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
