package io.beamtrain.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;

/** The end-of-run metrics line sums counters and distributions over steps and sorts them by name. */
class MetricsSummaryTest {

  static final class CountFn extends DoFn<Integer, Integer> {
    private final Counter seen = Metrics.counter("test", "seen");
    private final Distribution sizes = Metrics.distribution("test", "sizes");

    @ProcessElement
    public void process(@Element Integer n) {
      seen.inc();
      sizes.update(n);
    }
  }

  @Test
  void summarisesCountersAndDistributionsOfEveryStep() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Small", Create.of(1, 2, 3)).apply("CountSmall", ParDo.of(new CountFn()));
    pipeline.apply("Large", Create.of(10)).apply("CountLarge", ParDo.of(new CountFn()));

    PipelineResult result = PipelineRuns.runToCompletion(pipeline);

    assertEquals("test.seen=4 test.sizes=[n=4 mean=4 min=1 max=10]", MetricsSummary.of(result));
  }
}
