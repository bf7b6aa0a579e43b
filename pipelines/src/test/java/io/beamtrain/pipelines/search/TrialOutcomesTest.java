package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An adaptive search counts trials started, completed and failed once per trial, not per rung. */
class TrialOutcomesTest {
  @TempDir Path tmp;

  private static long counter(PipelineResult run, String namespace, String name) {
    long total = 0;
    for (MetricResult<Long> c : run.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(namespace, name)).build()).getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  private static long sweepCounter(PipelineResult run, String name) {
    return counter(run, RunTrials.METRICS_NAMESPACE, name);
  }

  @Test
  void successiveHalvingCountsEachTrialOnceAcrossItsRungs() {
    StudySpec study = StudySpecParser.parse("""
        metric: {name: eval_loss}
        algorithm: SUCCESSIVE_HALVING
        seed: 3
        maxTrials: 4
        trainSteps: 20
        evalEverySteps: 10
        checkpointEverySteps: 10
        search: {eta: 2, minBudget: 10}
        parameters: [{name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1, scale: LOG}]
        fixed: {model: linear}
        """, "sh.yaml");
    SearchSettings search = SearchSettings.of(study);
    OutputLayout layout = PenguinsData.preprocessedOutput(tmp);
    int trials = AdaptiveSearch.trialCount(study, search);
    assertEquals(4, trials);
    TrialSettings settings = TrialSettings.of(study, layout, 2, trials, StorageConfig.defaults());
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Search", AdaptiveSearch.of(study, search, settings));
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();

    // Rung 0 trains 4 trials to 10 steps, rung 1 the best 2 on to 20: 6 rung attempts, 4 trials.
    assertEquals(4 * 10 + 2 * 10, counter(run, RunTrials.SEARCH_NAMESPACE, RunTrials.STEPS_TRAINED));
    assertEquals(4, sweepCounter(run, RunTrials.TRIALS_STARTED));
    long completed = sweepCounter(run, RunTrials.TRIALS_COMPLETED);
    long failed = sweepCounter(run, RunTrials.TRIALS_FAILED);
    long stopped = sweepCounter(run, RunTrials.TRIALS_STOPPED);
    assertEquals(4, completed + failed, "completed " + completed + ", failed " + failed);
    assertEquals(0, stopped, "no stopping rule in this study");
    assertTrue(completed > 0, "linear models on penguins train");
  }

  private static TrialResult result(String trial, TrialStatus status) {
    return new TrialResult(trial, status, 10, null, Map.of(), List.of(), Map.of(), 1, null, null, 1.0);
  }

  @Test
  void countsEachFinalResultByItsStatus() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline
        .apply(Create.of(List.of(
                result("trial-0000", TrialStatus.COMPLETED), result("trial-0001", TrialStatus.COMPLETED),
                result("trial-0002", TrialStatus.FAILED), result("trial-0003", TrialStatus.DIVERGED),
                result("trial-0004", TrialStatus.STOPPED)))
            .withCoder(TrialResultCoder.of()))
        .apply(TrialOutcomes.count());
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();

    assertEquals(2, sweepCounter(run, RunTrials.TRIALS_COMPLETED));
    assertEquals(2, sweepCounter(run, RunTrials.TRIALS_FAILED), "FAILED and DIVERGED");
    assertEquals(1, sweepCounter(run, RunTrials.TRIALS_STOPPED));
    assertEquals(0, sweepCounter(run, RunTrials.TRIALS_STARTED), "started is counted where trials train");
  }
}
