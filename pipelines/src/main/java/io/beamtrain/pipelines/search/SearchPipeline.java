package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.pipelines.sweep.SweepProgress;
import io.beamtrain.pipelines.sweep.TrialParallelism;
import io.beamtrain.pipelines.sweep.TrialSettings;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code beamtrain sweep} for adaptive studies (SUCCESSIVE_HALVING, HYPERBAND, ASHA, TPE, or median
 * stopping on): the same output layout and outcome as the plain sweep, with {@link
 * AdaptiveSearch} in place of its trial stage.
 */
public final class SearchPipeline {
  private SearchPipeline() {}

  /**
   * The study's {@code search} block, resolved against the study as overridden by the flags
   * ({@code --trainSteps}, {@code --maxTrials}); the built-in study has none (all defaults).
   */
  public static SearchSettings searchSettings(StudyOptions options, SweepPlan plan, StorageConfig storage) {
    return SearchSettings.of(plan.study());
  }

  /** The composite of the adaptive study of {@code plan}. */
  public static AdaptiveSearch transform(SweepPlan plan, SearchSettings search) {
    TrialSettings base = plan.settings();
    int trials = AdaptiveSearch.trialCount(plan.study(), search);
    return AdaptiveSearch.of(plan.study(), search, base.withTrialCount(trials));
  }

  /** What the progress report of the adaptive study of {@code plan} counts: its trials and step budget. */
  public static SweepProgress.Plan progressPlan(SweepPlan plan, SearchSettings search) {
    int trials = AdaptiveSearch.trialCount(plan.study(), search);
    Algorithm algorithm = plan.study().algorithm();
    long steps = switch (algorithm) {
      case SUCCESSIVE_HALVING, HYPERBAND -> Brackets.totalSteps(AdaptiveSearch.brackets(plan.study(), search));
      case ASHA -> AdaptiveSearch.ashaSchedule(plan.study(), search).maxSteps();
      default -> (long) trials * plan.study().trainSteps();
    };
    return new SweepProgress.Plan("search",
        IntStream.range(0, trials).mapToObj(Trial::idOf).collect(Collectors.toSet()), steps);
  }

  /** Runs the adaptive study of {@code plan} to completion and reads the outcome. */
  public static SweepOutcome run(PipelineOptions options, SweepPlan plan, SearchSettings search) {
    TrialSettings base = plan.settings();
    plan.writeStudy();
    SweepViews.writeExperiment(plan.layout().root(), base.storage());
    if (plan.study().algorithm() == Algorithm.ASHA) {
      // Each ASHA worker holds a DirectRunner thread for the whole search: room for all of them.
      TrialParallelism.leaveDirectRunnerThreadsForScheduling(options, search.workers());
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Search", transform(plan, search));
    long start = System.nanoTime();
    Set<String> resumed;
    try (SweepProgress progress = SweepProgress.start(plan.layout(), progressPlan(plan, search),
        plan.study().metric(), base.storage(),
        Duration.ofSeconds(options.as(StudyOptions.class).getProgressEverySeconds()))) {
      PipelineRuns.runToCompletion(pipeline);
      resumed = progress.resumed();
    }
    SweepOutcome outcome = SweepOutcome.read(
        plan.layout(), plan.study().metric(), base.storage(), Duration.ofNanos(System.nanoTime() - start))
        .withResumed(resumed);
    SweepViews.writeReport(plan.layout().root(), plan.study().metric(), base.storage());
    return outcome;
  }
}
