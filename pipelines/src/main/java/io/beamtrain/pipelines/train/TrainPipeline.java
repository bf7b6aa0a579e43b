package io.beamtrain.pipelines.train;

import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.cli.UsageException;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.preprocess.DataSchema;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessPipeline;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.study.InvalidStudyException;
import io.beamtrain.pipelines.study.StudyMetrics;
import io.beamtrain.pipelines.search.SearchConflicts;
import io.beamtrain.pipelines.search.SearchPipeline;
import io.beamtrain.pipelines.search.SearchSettings;
import io.beamtrain.pipelines.sweep.Sweep;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.pipelines.sweep.SweepProgress;
import io.beamtrain.pipelines.sweep.TrialParallelism;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code beamtrain train}: preprocessing, the sweep and the export of the best model in one
 * pipeline run. The {@link Preprocess} composite emits the data directory only once {@code
 * transform.json} is written; the {@link Sweep} waits on that signal ({@code Wait.on}) before any
 * trial starts, so one job does what {@code preprocess}, {@code sweep} and {@code export} do one
 * after another, without three job launches.
 */
public final class TrainPipeline {
  private TrainPipeline() {}

  /** Flags of {@code train}: those of {@code preprocess} and {@code sweep}. */
  public interface Options extends PreprocessPipeline.Options, StudyOptions, StorageOptions {}

  public static SweepOutcome run(Options options) {
    StorageConfig storage = PipelineStorage.config(options);
    OutputLayout layout = new OutputLayout(options.getOutput());
    Preprocess preprocess = preprocess(options, storage);
    SweepPlan plan = SweepPlan.resolve(options, layout, storage, false);
    checkMetricFitsLabel(plan, preprocess.schema());
    SearchSettings search = SearchPipeline.searchSettings(options, plan, storage);
    SearchConflicts.check(plan, search);
    plan.writeStudy();
    SweepViews.writeExperiment(layout.root(), storage);
    TrialParallelism.leaveDirectRunnerThreadsForScheduling(options, plan.trials().size());
    Pipeline pipeline = Pipeline.create(options);
    PCollection<String> dataWritten = pipeline.apply("Preprocess", preprocess);
    SweepProgress.Plan progressPlan;
    if (SearchSettings.isAdaptive(plan.study(), search)) {
      pipeline.apply("Search", SearchPipeline.transform(plan, search).after(dataWritten));
      progressPlan = SearchPipeline.progressPlan(plan, search);
    } else {
      pipeline.apply("Sweep", Sweep.of(plan.trials(), plan.settings()).after(dataWritten));
      progressPlan = SweepProgress.Plan.trials(
          plan.trials().stream().map(Trial::id).collect(Collectors.toSet()));
    }
    long start = System.nanoTime();
    Set<String> resumed;
    try (SweepProgress progress = SweepProgress.start(
        layout,
        progressPlan,
        plan.study().metric(),
        storage,
        Duration.ofSeconds(options.getProgressEverySeconds()))) {
      PreprocessPipeline.runAndWait(pipeline);
      resumed = progress.resumed();
    }
    SweepOutcome outcome = SweepOutcome.read(
        layout, plan.study().metric(), storage, Duration.ofNanos(System.nanoTime() - start))
        .withResumed(resumed);
    SweepViews.writeReport(layout.root(), plan.study().metric(), storage);
    return outcome;
  }

  /**
   * The preprocessing composite, with its schema resolved now (from {@code --schema} or the
   * input's first rows); a bad flag or schema is a usage error naming it.
   */
  public static Preprocess preprocess(PreprocessPipeline.Options options, StorageConfig storage) {
    try {
      return Preprocess.from(PreprocessSettings.fromOptions(options, options.getOutput(), storage));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  private static void checkMetricFitsLabel(SweepPlan plan, DataSchema schema) {
    // An open categorical label may turn out to have two classes: judged as binary until known.
    Task task = schema.task() != null
        ? schema.task()
        : schema.labelType() == FeatureType.NUMERIC ? Task.REGRESSION : Task.BINARY_CLASSIFICATION;
    String metric = plan.study().metric().name();
    // The class count is known only once preprocessing has run; the trainer checks AUC then.
    if (!StudyMetrics.appliesTo(metric, task, 0)) {
      throw new InvalidStudyException("metric.name", metric + " does not apply to label '"
          + schema.label() + "', a " + (task.isClassification() ? "classification" : "regression")
          + " task").inSource(plan.studySource());
    }
  }
}
