package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.options.OutputOptions;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.search.SearchConflicts;
import io.beamtrain.pipelines.search.SearchPipeline;
import io.beamtrain.pipelines.search.SearchSettings;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;

/**
 * {@code beamtrain sweep}: trains every trial of a study on {@code <output>/data} in parallel and
 * exports the best one to {@code <output>/best} (see {@link Sweep} for the steps). Re-running the
 * same sweep against the same output resumes each trial from its latest committed checkpoint.
 */
public final class SweepPipeline {
  private SweepPipeline() {}

  /** Flags of {@code sweep}. */
  public interface Options extends OutputOptions, StudyOptions, StorageOptions {}

  /** Resolves the plan, runs the sweep to completion with progress reports, and reads the outcome. */
  public static SweepOutcome run(Options options) {
    OutputLayout layout = new OutputLayout(options.getOutput());
    StorageConfig storage = PipelineStorage.config(options);
    SweepPlan plan = SweepPlan.resolve(options, layout, storage, true);
    SearchSettings search = SearchPipeline.searchSettings(options, plan, storage);
    SearchConflicts.check(plan, search);
    if (SearchSettings.isAdaptive(plan.study(), search)) {
      return SearchPipeline.run(options, plan, search);
    }
    plan.writeStudy();
    SweepViews.writeExperiment(layout.root(), storage);
    TrialParallelism.leaveDirectRunnerThreadsForScheduling(options, plan.trials().size());
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Sweep", Sweep.of(plan.trials(), plan.settings()));
    long start = System.nanoTime();
    Set<String> resumed;
    try (SweepProgress progress = SweepProgress.start(
        layout,
        plan.trials().stream().map(t -> t.id()).collect(Collectors.toSet()),
        plan.study().metric(),
        storage,
        Duration.ofSeconds(options.getProgressEverySeconds()))) {
      PipelineRuns.runToCompletion(pipeline);
      resumed = progress.resumed();
    }
    SweepOutcome outcome = SweepOutcome.read(
        layout, plan.study().metric(), storage, Duration.ofNanos(System.nanoTime() - start))
        .withResumed(resumed);
    SweepViews.writeReport(layout.root(), plan.study().metric(), storage);
    return outcome;
  }
}
