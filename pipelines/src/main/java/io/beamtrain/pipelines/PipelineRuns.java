package io.beamtrain.pipelines;

import org.apache.beam.runners.dataflow.util.DataflowTemplateJob;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a pipeline to completion on any runner and turns a failed run into an exception. */
public final class PipelineRuns {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRuns.class);
  private PipelineRuns() {}

  /**
   * Runs and waits. The DirectRunner rethrows a worker's exception (wrapped in {@code
   * PipelineExecutionException}); other runners report a state, and anything but DONE becomes a
   * {@link PipelineFailedException}.
   */
  public static PipelineResult runToCompletion(Pipeline pipeline) {
    PipelineResult result = start(pipeline);
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new PipelineFailedException("the pipeline ended in state " + state);
    }
    logMetrics(result);
    return result;
  }

  /**
   * Runs the pipeline without waiting. With the DataflowRunner and {@code --templateLocation} the
   * runner only writes the job as a classic template and returns a result that must not be used
   * (no job exists, so nothing can be waited for or read back): that ends the command as a {@link
   * TemplateCreated}, before the code that would wait or read the job's outputs.
   */
  public static PipelineResult start(Pipeline pipeline) {
    PipelineResult result = pipeline.run();
    if (result instanceof DataflowTemplateJob) {
      throw new TemplateCreated(
          pipeline.getOptions().as(DataflowPipelineOptions.class).getTemplateLocation());
    }
    return result;
  }

  /** Logs the run's Beam metrics on one line (Dataflow shows them in its UI as well). */
  public static void logMetrics(PipelineResult result) {
    try {
      String summary = MetricsSummary.of(result);
      if (!summary.isEmpty()) {
        LOG.info("metrics: {}", summary);
      }
    } catch (UnsupportedOperationException e) {
      // Some runners (or a template launch that returned early) cannot report metrics.
      LOG.debug("metrics not available from this runner: {}", e.getMessage());
    }
  }

  /** A run that ended in a state other than DONE. */
  public static final class PipelineFailedException extends RuntimeException {
    public PipelineFailedException(String message) {
      super(message);
    }
  }

  /**
   * Not a failure: the run wrote a Dataflow template to {@link #location()} instead of running a
   * job. The CLI reports it and exits 0.
   */
  public static final class TemplateCreated extends RuntimeException {
    private final String location;

    public TemplateCreated(String location) {
      super("Dataflow template written to " + location + " (no job was started)");
      this.location = location;
    }

    public String location() {
      return location;
    }
  }
}
