package io.beamtrain.pipelines.templates;

import io.beamtrain.pipelines.commands.PredictPipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Flex Template main of {@code predict} (templates/predict-metadata.json): the same steps and
 * output files as {@code beamtrain predict}, returning once the job is submitted (see {@link
 * TemplateLaunch}); the row counts are left to the job's counters, and the run record
 * {@code <predictions>-run.json} stays RUNNING.
 */
public final class PredictTemplate {
  private PredictTemplate() {}

  /** The template's parameters: those of {@code predict} and {@code --templateLaunch}. */
  public interface Options extends PredictPipeline.Options, TemplateOptions {}

  public static void main(String[] args) {
    launch(PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class));
  }

  public static PipelineResult launch(Options options) {
    return PredictPipeline.launch(options, TemplateLaunch::runOrSubmit).result();
  }
}
