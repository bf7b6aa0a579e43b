package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.preprocess.DataSchema;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.study.InvalidStudyException;
import io.beamtrain.pipelines.study.StudyMetrics;
import io.beamtrain.pipelines.search.TuningStage;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.Task;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code beamtrain train}: preprocessing, the sweep and the export of the best model in one
 * pipeline run. The {@link Preprocess} composite emits the data directory only once {@code
 * transform.json} is written; the study's tuning stage ({@link TuningStage}) waits on that signal ({@code Wait.on}) before any
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
    TuningStage stage = TuningStage.of(plan);
    stage.prepare(options);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<String> dataWritten = pipeline.apply("Preprocess", preprocess);
    pipeline.apply("Tune", stage.tune(dataWritten)).apply("FinishStudy", stage.finish());
    return SweepPipeline.runWithProgress(stage, options, () -> PreprocessPipeline.runAndWait(pipeline));
  }

  /**
   * The preprocessing composite, with its schema resolved now (from {@code --schema} or the
   * input's first rows); a bad flag or schema is a usage error naming it.
   */
  public static Preprocess preprocess(PreprocessPipeline.Options options, StorageConfig storage) {
    try {
      return Preprocess.from(
          PreprocessSettings.fromOptions(options, options.getOutput(), storage), options);
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
