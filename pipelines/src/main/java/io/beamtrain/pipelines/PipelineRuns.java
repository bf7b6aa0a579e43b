package io.beamtrain.pipelines;

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
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new PipelineFailedException("the pipeline ended in state " + state);
    }
    logMetrics(result);
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
}
