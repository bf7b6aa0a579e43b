package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.options.StorageSetup;
import io.beamtrain.pipelines.preprocess.DataOptions;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessParallelism;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.trainer.BadInputException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code beamtrain preprocess}: CSV or JSON Lines input to tf.Example shards plus {@code
 * transform.json}, {@code stats.json}, {@code schema.json} and {@code rejected/} under {@code
 * <output>/data/} (see {@link Preprocess}). The work lives in the composite transforms; this class
 * only reads options and runs.
 */
public final class PreprocessPipeline {
  private PreprocessPipeline() {}

  /**
   * The flags of {@code preprocess}: the {@link DataOptions} that say what to read and how to
   * encode it, and where to write it.
   */
  public interface Options extends DataOptions {
    @Description("Output root; the preprocessed data goes to <output>/data/.")
    @Validation.Required
    String getOutput();

    void setOutput(String value);
  }

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    run(options);
  }

  /**
   * Builds and runs the pipeline and waits for it. On the DirectRunner, {@code
   * --targetParallelism} is lowered to the number of input files ({@link PreprocessParallelism}).
   *
   * @throws IllegalArgumentException for bad flags or a bad schema file (before anything runs)
   * @throws BadInputException when the input is unusable: too many rejected rows (the message
   *     names the counts and the flag), no usable row, too few classes, a CSV header without a
   *     schema column, a file name of no known format
   */
  public static PipelineResult run(Options options) {
    StorageConfig storage = StorageSetup.apply(options);
    Pipeline pipeline = Pipeline.create(options);
    PreprocessSettings settings = PreprocessSettings.fromOptions(options, options.getOutput(), storage);
    pipeline.apply("Preprocess", Preprocess.from(settings, options));
    PreprocessParallelism.limitToInputFiles(options, settings);
    return runAndWait(pipeline);
  }

  /**
   * Runs {@code pipeline} to completion. A failure caused by bad input anywhere in the pipeline
   * is rethrown as that {@link BadInputException} (the runner wraps it), so callers can tell bad
   * input (exit status 2) from a failure while running (1).
   */
  public static PipelineResult runAndWait(Pipeline pipeline) {
    PipelineResult result;
    try {
      result = PipelineRuns.start(pipeline);
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException("the pipeline ended in state " + state);
      }
    } catch (RuntimeException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof BadInputException bad) {
          throw new BadInputException(bad.getMessage(), e);
        }
      }
      throw e;
    }
    PipelineRuns.logMetrics(result);
    return result;
  }
}
