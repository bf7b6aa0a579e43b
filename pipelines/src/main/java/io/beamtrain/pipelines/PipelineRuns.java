package io.beamtrain.pipelines;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/** Runs a pipeline to completion on any runner and turns a failed run into an exception. */
public final class PipelineRuns {
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
    return result;
  }

  /** A run that ended in a state other than DONE. */
  public static final class PipelineFailedException extends RuntimeException {
    public PipelineFailedException(String message) {
      super(message);
    }
  }
}
