package io.beamtrain.pipelines.preprocess;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * DirectRunner pipelines for JUnit 5 tests (Beam's {@code TestPipeline} is a JUnit 4 rule). The
 * DirectRunner's immutability and encodability checks stay on, so a DoFn that mutates its input or
 * a coder that does not round-trip fails the test.
 */
public final class DirectPipelines {
  private DirectPipelines() {}

  public static Pipeline create() {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setTargetParallelism(2);
    return Pipeline.create(options);
  }
}
