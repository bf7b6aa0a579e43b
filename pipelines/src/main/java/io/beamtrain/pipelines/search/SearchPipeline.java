package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.pipelines.sweep.TrialSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code beamtrain sweep} for adaptive studies (SUCCESSIVE_HALVING, HYPERBAND, TPE, or median
 * stopping on): the same output layout and outcome as the plain sweep, with {@link
 * AdaptiveSearch} in place of its trial stage.
 */
public final class SearchPipeline {
  private SearchPipeline() {}

  /** The study file's {@code search} block (defaults for the built-in study). */
  public static SearchSettings searchSettings(StudyOptions options, SweepPlan plan, StorageConfig storage) {
    if (options.getStudy() == null) {
      return SearchSettings.of(null, plan.study());
    }
    String text = new String(
        Storages.forPath(options.getStudy(), storage).readBytes(options.getStudy()), StandardCharsets.UTF_8);
    return SearchSettings.parse(text, options.getStudy(), plan.study());
  }

  /** The composite of the adaptive study of {@code plan}. */
  public static AdaptiveSearch transform(SweepPlan plan, SearchSettings search) {
    TrialSettings base = plan.settings();
    int trials = AdaptiveSearch.trialCount(plan.study(), search);
    return AdaptiveSearch.of(plan.study(), search, base.withTrialCount(trials));
  }

  /** Runs the adaptive study of {@code plan} to completion and reads the outcome. */
  public static SweepOutcome run(PipelineOptions options, SweepPlan plan, SearchSettings search) {
    TrialSettings base = plan.settings();
    plan.writeStudy();
    SweepViews.writeExperiment(plan.layout().root(), base.storage());
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Search", transform(plan, search));
    long start = System.nanoTime();
    PipelineRuns.runToCompletion(pipeline);
    SweepOutcome outcome = SweepOutcome.read(
        plan.layout(), plan.study().metric(), base.storage(), Duration.ofNanos(System.nanoTime() - start));
    SweepViews.writeReport(plan.layout().root(), plan.study().metric(), base.storage());
    return outcome;
  }
}
