package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.report.MetricChoice;
import io.beamtrain.pipelines.report.SweepReport;
import java.time.Clock;
import java.util.Locale;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./beamtrain report --output=<dir> [--metric=<name> [--goal=MINIMIZE|MAXIMIZE]]}: writes
 * {@code <dir>/report.html} for a finished or running sweep. No pipeline runs; it reads the result
 * files and writes one page.
 */
public final class ReportCommand {
  private ReportCommand() {}

  /**
   * The command's own flags; the CLI combines them with its {@code --output} options ({@code
   * interface ReportOptions extends OutputOptions, ReportCommand.Options}).
   */
  public interface Options extends PipelineOptions {
    @Description(
        "Metric to rank trials by, e.g. eval_loss; default: the one best/best.json or study.json "
            + "names, else inferred from the trials' results")
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
   * Writes the report of {@code outputDir} ranked by {@code --metric}/{@code --goal} when given;
   * returns its path.
   *
   * @throws IllegalArgumentException for a bad {@code --goal} or {@code --goal} without {@code
   *     --metric}, or an output that holds no sweep (the message names the flag)
   */
  public static String run(String outputDir, Options options, StorageConfig config) {
    return SweepReport.write(outputDir, config, metric(options), Clock.systemUTC());
  }

  static MetricChoice metric(Options options) {
    String name = options.getMetric();
    String goal = options.getGoal();
    if (name == null || name.isBlank()) {
      if (goal != null) {
        throw new IllegalArgumentException("--goal=" + goal + " needs --metric");
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
