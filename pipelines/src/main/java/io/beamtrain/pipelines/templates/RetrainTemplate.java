package io.beamtrain.pipelines.templates;

import io.beamtrain.pipelines.commands.RetrainPipeline;
import java.util.Optional;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flex Template main of {@code retrain} (templates/retrain-metadata.json), the job Cloud Scheduler
 * launches every night: the same pipeline as {@code beamtrain retrain}, returning once the job is
 * submitted (see {@link TemplateLaunch}); the promotion runs on the workers. A slice that was
 * already retrained submits no job.
 */
public final class RetrainTemplate {
  private static final Logger LOG = LoggerFactory.getLogger(RetrainTemplate.class);

  private RetrainTemplate() {}

  /** The template's parameters: those of {@code retrain} and {@code --templateLaunch}. */
  public interface Options extends RetrainPipeline.Options, TemplateOptions {}

  public static void main(String[] args) {
    launch(PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class));
  }

  /** The submitted (or, when waiting, finished) job; empty when the slice was already retrained. */
  public static Optional<PipelineResult> launch(Options options) {
    RetrainPipeline.Launch launch = RetrainPipeline.prepare(options);
    if (launch.isDone()) {
      LOG.info("nothing to do: {}", launch.alreadyDone().summary());
      return Optional.empty();
    }
    return Optional.of(TemplateLaunch.runOrSubmit(launch.pipeline()));
  }
}
