package io.beamtrain.pipelines.templates;

import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.commands.PreprocessCommand;
import io.beamtrain.pipelines.commands.TrainPipeline;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Flex Template main of {@code preprocess} (templates/preprocess-metadata.json): the {@code
 * Preprocess} composite, returning once the job is submitted (see {@link TemplateLaunch}).
 */
public final class PreprocessTemplate {
  private PreprocessTemplate() {}

  /** The template's parameters: those of {@code preprocess} and {@code --templateLaunch}. */
  public interface Options extends PreprocessCommand.Options, TemplateOptions {}

  public static void main(String[] args) {
    launch(PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class));
  }

  public static PipelineResult launch(Options options) {
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Preprocess", TrainPipeline.preprocess(options, PipelineStorage.config(options)));
    return TemplateLaunch.runOrSubmit(pipeline);
  }
}
