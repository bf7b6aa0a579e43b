package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.pipelines.sweep.SweepProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the progress of an adaptive study counts: every trial it may start and its step budget. */
class SearchProgressPlanTest {
  @TempDir Path tmp;

  private SweepProgress.Plan plan(String study) throws Exception {
    Path file = tmp.resolve("study.yaml");
    Files.writeString(file, study);
    SweepPipeline.Options options = PipelineOptionsFactory.fromArgs(
            "--output=" + tmp.resolve("out"), "--study=" + file)
        .withValidation().as(SweepPipeline.Options.class);
    OutputLayout layout = new OutputLayout(options.getOutput());
    SweepPlan sweep = SweepPlan.resolve(options, layout, StorageConfig.defaults(), false);
    return TuningStage.of(sweep).progressPlan();
  }

  private static Set<String> ids(int n) {
    return IntStream.range(0, n).mapToObj(Trial::idOf).collect(Collectors.toSet());
  }

  @Test
  void hyperbandCountsEveryRungsStepsOnce() throws Exception {
    SweepProgress.Plan plan = plan("""
        metric: {name: eval_loss, goal: MINIMIZE}
        algorithm: HYPERBAND
        seed: 5
        trainSteps: 40
        search: {eta: 2, minBudget: 10, brackets: 2}
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.2, scale: LOG}
        fixed: {model: linear}
        """);

    // Bracket 0: 4 trials to 10 steps, 2 on to 20, 1 on to 40; bracket 1: 3 to 20, 2 on to 40.
    assertEquals(4 * 10 + 2 * 10 + 20 + 3 * 20 + 2 * 20, plan.stepBudget());
    assertEquals(ids(7), plan.trialIds());
    assertEquals("search", plan.label());
  }

  @Test
  void tpeCountsItsTrialsAtTheFullBudget() throws Exception {
    SweepProgress.Plan plan = plan("""
        metric: {name: eval_loss, goal: MINIMIZE}
        algorithm: TPE
        maxTrials: 5
        seed: 3
        trainSteps: 30
        search: {roundSize: 2}
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.2, scale: LOG}
        fixed: {model: linear}
        """);

    assertEquals(5 * 30, plan.stepBudget());
    assertEquals(ids(5), plan.trialIds());
  }

  @Test
  void ashaCountsItsStepBudget() throws Exception {
    String study = """
        metric: {name: eval_loss, goal: MINIMIZE}
        algorithm: ASHA
        maxTrials: 9
        trainSteps: 90
        search: %s
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.2, scale: LOG}
        fixed: {model: linear}
        """;
    // By default successive halving's plan: 9 trials to 10 steps, 3 on to 30, 1 on to 90.
    assertEquals(9 * 10 + 3 * 20 + 60, plan(study.formatted("{eta: 3, minBudget: 10}")).stepBudget());
    assertEquals(ids(9), plan(study.formatted("{eta: 3, minBudget: 10}")).trialIds());
    assertEquals(500, plan(study.formatted("{eta: 3, minBudget: 10, maxSteps: 500}")).stepBudget());
  }
}
