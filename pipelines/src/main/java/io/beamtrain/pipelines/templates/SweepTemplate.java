package io.beamtrain.pipelines.templates;

import io.beamtrain.pipelines.commands.SweepPipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Flex Template main of {@code sweep} (templates/sweep-metadata.json): the pipeline of {@code
 * beamtrain sweep} ({@link SweepPipeline#build}: the study's tuning stage, whatever its algorithm,
 * and the results tail that writes results, best model, report.html and the HParams experiment),
 * without the progress line and summary, returning once the job is submitted (see {@link
 * TemplateLaunch}).
 */
public final class SweepTemplate {
  private SweepTemplate() {}

  /** The template's parameters: those of {@code sweep} and {@code --templateLaunch}. */
  public interface Options extends SweepPipeline.Options, TemplateOptions {}

  public static void main(String[] args) {
    launch(PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class));
  }

  public static PipelineResult launch(Options options) {
    return TemplateLaunch.runOrSubmit(SweepPipeline.build(options).pipeline());
  }
}
