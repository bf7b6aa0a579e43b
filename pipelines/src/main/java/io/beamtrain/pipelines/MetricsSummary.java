package io.beamtrain.pipelines;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * One line with the Beam counters and distributions of a finished run, e.g. {@code
 * sweep.trials_completed=8 sweep.trial_millis=[n=8 mean=2310 min=1140 max=5660]}. On Dataflow the
 * same metrics show in the job's UI; this puts them at the end of a DirectRunner run too.
 *
 * <p>Values are the attempted ones, which every runner reports (committed metrics are not
 * supported everywhere); steps of the same name are summed.
 */
public final class MetricsSummary {
  private MetricsSummary() {}

  /** The summary line, or an empty string when the run reported no metrics. */
  public static String of(PipelineResult result) {
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder().build());
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> counter : metrics.getCounters()) {
      counters.merge(name(counter), counter.getAttempted(), Long::sum);
    }
    Map<String, DistributionResult> distributions = new TreeMap<>();
    for (MetricResult<DistributionResult> distribution : metrics.getDistributions()) {
      distributions.merge(name(distribution), distribution.getAttempted(), MetricsSummary::merge);
    }
    StringBuilder line = new StringBuilder();
    counters.forEach((name, value) -> append(line, name + "=" + value));
    distributions.forEach((name, d) -> append(line, String.format(Locale.ROOT,
        "%s=[n=%d mean=%.0f min=%d max=%d]", name, d.getCount(), d.getMean(), d.getMin(), d.getMax())));
    return line.toString();
  }

  private static String name(MetricResult<?> metric) {
    return metric.getName().getNamespace() + "." + metric.getName().getName();
  }

  private static DistributionResult merge(DistributionResult a, DistributionResult b) {
    return DistributionResult.create(
        a.getSum() + b.getSum(),
        a.getCount() + b.getCount(),
        Math.min(a.getMin(), b.getMin()),
        Math.max(a.getMax(), b.getMax()));
  }

  private static void append(StringBuilder line, String item) {
    line.append(line.length() == 0 ? "" : " ").append(item);
  }
}
