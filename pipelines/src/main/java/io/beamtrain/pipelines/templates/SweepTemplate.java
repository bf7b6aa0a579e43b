package io.beamtrain.pipelines.templates;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.sweep.FinishStudy;
import io.beamtrain.pipelines.sweep.Sweep;
import io.beamtrain.pipelines.sweep.SweepPipeline;
import io.beamtrain.pipelines.sweep.SweepPlan;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Flex Template main of {@code sweep} (templates/sweep-metadata.json): the same plan and {@link
 * Sweep} composite as {@code beamtrain sweep}, without progress polling, returning once the job is
 * submitted (see {@link TemplateLaunch}).
 */
public final class SweepTemplate {
  private SweepTemplate() {}

  /** The template's parameters: those of {@code sweep} and {@code --templateLaunch}. */
  public interface Options extends SweepPipeline.Options, TemplateOptions {}

  public static void main(String[] args) {
    launch(PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class));
  }

  public static PipelineResult launch(Options options) {
    StorageConfig storage = PipelineStorage.config(options);
    SweepPlan plan = SweepPlan.resolve(options, new OutputLayout(options.getOutput()), storage, true);
    plan.writeStudy();
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Sweep", Sweep.of(plan.trials(), plan.settings()))
        .apply("FinishStudy", FinishStudy.of(plan.settings()));
    return TemplateLaunch.runOrSubmit(pipeline);
  }
}
