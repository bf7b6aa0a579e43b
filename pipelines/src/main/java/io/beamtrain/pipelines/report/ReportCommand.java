package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import java.time.Clock;
import java.util.Locale;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code ./beamtrain report --output=<dir>}: writes {@code <dir>/report.html} for a finished or
 * running sweep. No pipeline runs; it only reads result files and writes one page.
 */
public final class ReportCommand {
  private ReportCommand() {}

  /** The command's flags. */
  public interface Options extends PipelineOptions {
    @Description("Sweep output directory (local path or gs://bucket/prefix)")
    @Validation.Required
    String getOutput();

    void setOutput(String output);

    @Description(
        "Metric to rank trials by, e.g. eval_loss; default: the one best/best.json names, or "
            + "inferred from the trials' results")
    String getMetric();

    void setMetric(String metric);

    @Description("Goal of --metric: MINIMIZE or MAXIMIZE; default: MAXIMIZE for accuracy and AUC")
    String getGoal();

    void setGoal(String goal);
  }

  /** Writes the report of {@code outputDir}; returns its path. */
  public static String run(String outputDir, StorageConfig config) {
    return SweepReport.write(outputDir, config);
  }

  /**
   * Writes the report for {@code options}; returns its path.
   *
   * @throws IllegalArgumentException for a bad {@code --goal}, or an output that holds no sweep
   */
  public static String run(Options options, StorageConfig config) {
    return SweepReport.write(options.getOutput(), config, metric(options), Clock.systemUTC());
  }

  static MetricChoice metric(Options options) {
    String name = options.getMetric();
    String goal = options.getGoal();
    if (name == null || name.isBlank()) {
      if (goal != null) {
        throw new IllegalArgumentException("--goal needs --metric");
      }
      return null;
    }
    if (goal == null || goal.isBlank()) {
      return MetricChoice.natural(name);
    }
    try {
      return new MetricChoice(name, Goal.valueOf(goal.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--goal=" + goal + ": expected MINIMIZE or MAXIMIZE", e);
    }
  }
}
