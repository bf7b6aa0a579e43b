package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.TrialRanking;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamtrain sweep} with a HYPERBAND study end to end on penguins. */
class SearchPipelineTest {
  static final String STUDY = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: HYPERBAND
      seed: 5
      trainSteps: 40
      evalEverySteps: 10
      checkpointEverySteps: 10
      search: {eta: 2, minBudget: 10, brackets: 2}
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.2, scale: LOG}
      fixed: {model: linear}
      """;

  @TempDir Path tmp;

  @Test
  void hyperbandBracketsRunAsBranchesAndTheBestTrialIsChosenAmongAllAtItsBestStep() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    OutputLayout layout = new OutputLayout(tmp.resolve("out").toString());
    PenguinsData.preprocess(input, layout.root(), StorageConfig.defaults());
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, STUDY);
    SweepOutcome outcome = SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + study, "--trialsPerWorker=2")
        .withValidation().as(SweepPipeline.Options.class));

    // eta 2, budgets 10..40: s_max = 2; bracket 0 starts ceil(3/3 * 4) = 4 trials at 10 steps
    // (4 -> 2 -> 1 over 10, 20, 40), bracket 1 starts ceil(3/2 * 2) = 3 at 20 (3 -> 2 over 20, 40).
    Map<String, TrialResult> byId = outcome.results().stream()
        .collect(Collectors.toMap(TrialResult::trial, Function.identity()));
    assertEquals(7, byId.size());
    assertEquals(java.util.List.of(10L, 10L, 20L, 40L), sortedSteps(outcome, 0, 4));
    assertEquals(java.util.List.of(20L, 40L, 40L), sortedSteps(outcome, 4, 7));
    TrialResult best = outcome.results().stream()
        .sorted(new TrialRanking(outcome.metric()).comparator()).findFirst().orElseThrow();
    assertEquals(best.trial(), outcome.best().trial());
    assertTrue(Files.exists(Path.of(layout.root(), "best", "saved_model", "saved_model.pb")));
    // study.json records the search block, so it alone re-runs the same search.
    StudySpec ran = StudySpecParser.parse(Files.readString(Path.of(layout.root(), "study.json")), "study.json");
    assertEquals(Map.of("eta", 2, "minBudget", 10, "brackets", 2), ran.search());
    assertEquals(SearchSettings.of(StudySpecParser.parse(STUDY, "study.yaml")), SearchSettings.of(ran));
  }

  private static java.util.List<Long> sortedSteps(SweepOutcome outcome, int from, int to) {
    return outcome.results().subList(from, to).stream().map(TrialResult::steps).sorted().toList();
  }

  @Test
  void trainRunsATpeStudyWithMedianStoppingBehindItsOwnPreprocessing() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    Path study = tmp.resolve("tpe.yaml");
    Files.writeString(study, """
        metric: {name: eval_loss, goal: MINIMIZE}
        algorithm: TPE
        maxTrials: 5
        seed: 3
        trainSteps: 30
        evalEverySteps: 10
        checkpointEverySteps: 10
        search: {roundSize: 2, medianStopping: {minSteps: 10, minTrials: 2}}
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.00001, max: 0.1, scale: LOG}
        fixed: {model: linear}
        """);
    SweepOutcome outcome = io.beamtrain.pipelines.commands.TrainPipeline.run(PipelineOptionsFactory.fromArgs(
            "--input=" + input, "--label=" + PenguinsData.LABEL, "--output=" + tmp.resolve("train"),
            "--study=" + study, "--trialsPerWorker=2")
        .withValidation().as(io.beamtrain.pipelines.commands.TrainPipeline.Options.class));

    // Rounds of 2, 2 and 1 trials (maxTrials 5), each finished COMPLETED or STOPPED with a reason.
    assertEquals(java.util.List.of("trial-0000", "trial-0001", "trial-0002", "trial-0003", "trial-0004"),
        outcome.results().stream().map(TrialResult::trial).toList());
    for (TrialResult r : outcome.results()) {
      assertTrue(r.status() == io.beamtrain.trainer.TrialStatus.COMPLETED
          ? r.steps() == 30
          : r.status() == io.beamtrain.trainer.TrialStatus.STOPPED && r.reason().startsWith("median stopping at step"),
          r.toJson());
    }
    assertTrue(Files.exists(tmp.resolve("train").resolve("best").resolve("best.json")));
    StudySpec ran = StudySpecParser.parse(
        Files.readString(tmp.resolve("train").resolve("study.json")), "study.json");
    assertEquals(Map.of("roundSize", 2, "medianStopping", Map.of("minSteps", 10, "minTrials", 2)), ran.search());
  }

  @Test
  void ashaRunsThroughTheSweepCommandAndDeterministicMeansOneWorker() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    OutputLayout layout = new OutputLayout(tmp.resolve("asha").toString());
    PenguinsData.preprocess(input, layout.root(), StorageConfig.defaults());
    Path study = tmp.resolve("asha.yaml");
    Files.writeString(study, """
        metric: {name: eval_loss, goal: MINIMIZE}
        algorithm: ASHA
        maxTrials: 6
        seed: 4
        trainSteps: 40
        evalEverySteps: 10
        checkpointEverySteps: 10
        search: {eta: 2, minBudget: 10}
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.2, scale: LOG}
        fixed: {model: linear}
        """);
    SweepOutcome outcome = SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + study, "--deterministic")
        .withValidation().as(SweepPipeline.Options.class));

    // A result per trial started, within the step budget: successive halving's plan for 6 trials
    // over budgets 10, 20, 40 (6 x 10 + 3 x 10 + 1 x 20).
    JobLog.Snapshot log = new JobLog(layout.jobLog(), io.beamtrain.checkpointing.storage.Storages.forPath(layout.jobLog()))
        .read();
    assertEquals(log.jobs().stream().map(j -> j.trial()).distinct().count(), outcome.results().size());
    assertTrue(outcome.results().stream().mapToLong(TrialResult::steps).sum() <= 110);
    TrialResult best = outcome.results().stream()
        .sorted(new TrialRanking(outcome.metric()).comparator()).findFirst().orElseThrow();
    assertEquals(best.trial(), outcome.best().trial());
    assertTrue(outcome.results().stream().anyMatch(r -> r.steps() == 40), "some trial reached the maximum budget");
    // --deterministic resolved the unset worker count to 1, and study.json says so.
    StudySpec ran = StudySpecParser.parse(Files.readString(Path.of(layout.root(), "study.json")), "study.json");
    assertEquals(Map.of("eta", 2, "minBudget", 10, "workers", 1, "maxSteps", 110, "sampler", "RANDOM"), ran.search());
    assertTrue(Files.exists(Path.of(layout.jobLog(), "job-000000.json")));

    // Several workers contradict --deterministic: the error names the field and the file.
    Files.writeString(study, Files.readString(study).replace("minBudget: 10}", "minBudget: 10, workers: 2}"));
    io.beamtrain.pipelines.study.InvalidStudyException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.beamtrain.pipelines.study.InvalidStudyException.class,
        () -> SweepPipeline.run(PipelineOptionsFactory.fromArgs(
                "--output=" + tmp.resolve("asha-2"), "--study=" + study, "--deterministic")
            .withValidation().as(SweepPipeline.Options.class)));
    assertEquals("search.workers", e.field());
    assertTrue(e.getMessage().contains("asha.yaml"), e.getMessage());
  }
}
