package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.options.OutputOptions;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.search.TuningStage;
import io.beamtrain.pipelines.sweep.FinishStudy;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.pipelines.sweep.SweepProgress;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * {@code beamtrain sweep}: trains the trials of a study on {@code <output>/data} -- all of them,
 * or as its adaptive algorithm decides -- and exports the best one to {@code <output>/best} (see
 * {@link TuningStage} for the stage and {@link FinishStudy} for the results tail). Re-running the
 * same sweep against the same output resumes each trial from its latest committed checkpoint.
 */
public final class SweepPipeline {
  private SweepPipeline() {}

  /** Flags of {@code sweep}. */
  public interface Options extends OutputOptions, StudyOptions, StorageOptions {}

  /** The sweep's pipeline and the stage it was built from. */
  public record Built(TuningStage stage, Pipeline pipeline) {}

  /**
   * Resolves the plan (validating the study and the data), writes study.json and builds the
   * pipeline: the study's tuning stage, then the results tail. The sweep template runs the same.
   */
  public static Built build(Options options) {
    OutputLayout layout = new OutputLayout(options.getOutput());
    StorageConfig storage = PipelineStorage.config(options);
    TuningStage stage = TuningStage.of(SweepPlan.resolve(options, layout, storage, true));
    stage.prepare(options);
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Tune", stage.tune()).apply("FinishStudy", stage.finish());
    return new Built(stage, pipeline);
  }

  /** Builds the pipeline, runs it to completion with progress reports, and reads the outcome. */
  public static SweepOutcome run(Options options) {
    Built built = build(options);
    return runWithProgress(built.stage(), options, () -> PipelineRuns.runToCompletion(built.pipeline()));
  }

  /**
   * Runs a pipeline built around {@code stage} to completion with the progress line on stderr,
   * then reads what it left for the command's summary (its final transforms wrote everything,
   * report.html included: the CLI adds only the progress line and the summary on top).
   */
  public static SweepOutcome runWithProgress(TuningStage stage, StudyOptions options, Supplier<PipelineResult> run) {
    SweepPlan plan = stage.plan();
    long start = System.nanoTime();
    Set<String> resumed;
    try (SweepProgress progress = SweepProgress.start(plan.layout(), stage.progressPlan(),
        plan.study().metric(), plan.settings().storage(),
        Duration.ofSeconds(options.getProgressEverySeconds()))) {
      run.get();
      resumed = progress.resumed();
    }
    return SweepOutcome.read(plan.layout(), plan.study().metric(), plan.settings().storage(),
        Duration.ofNanos(System.nanoTime() - start))
        .withResumed(resumed);
  }
}
