package io.beamtrain.pipelines.templates;

import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.options.RunnerPlacement;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How a template main ends. The Flex Template launcher runs the main in a short-lived container
 * and counts the job as launched once the main returns; a main that waits for the job keeps the
 * launcher (and its timeout) busy for the whole run. So a main submits and returns when it runs
 * on Dataflow or with {@code --templateLaunch}, and waits for completion (failing on anything but
 * DONE) everywhere else, e.g. when the same main is tried on the DirectRunner.
 */
public final class TemplateLaunch {
  /** Matched by simple name so the check does not load the Dataflow runner class. */
  static final String DATAFLOW_RUNNER = "DataflowRunner";

  private TemplateLaunch() {}

  /** Whether a main given these options waits for the job to finish. */
  public static boolean waitsForCompletion(PipelineOptions options) {
    if (options.as(TemplateOptions.class).getTemplateLaunch()) {
      return false;
    }
    Class<?> runner = options.getRunner();
    return runner == null || !DATAFLOW_RUNNER.equals(runner.getSimpleName());
  }

  /**
   * Runs the pipeline, waiting for it only when {@link #waitsForCompletion} says so. A local path
   * that remote workers would need is refused first ({@link RunnerPlacement#checkWorkerPaths}).
   */
  public static PipelineResult runOrSubmit(Pipeline pipeline) {
    RunnerPlacement.checkWorkerPaths(pipeline.getOptions());
    if (waitsForCompletion(pipeline.getOptions())) {
      return PipelineRuns.runToCompletion(pipeline);
    }
    return pipeline.run();
  }
}
