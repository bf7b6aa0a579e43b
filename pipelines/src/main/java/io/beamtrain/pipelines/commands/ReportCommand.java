package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.report.MetricChoice;
import io.beamtrain.pipelines.report.PageOptions;
import io.beamtrain.pipelines.report.ReportServer;
import io.beamtrain.pipelines.report.ReportWatch;
import io.beamtrain.pipelines.report.SweepReader;
import io.beamtrain.pipelines.report.SweepReport;
import io.beamtrain.pipelines.report.SweepSnapshot;
import io.beamtrain.pipelines.report.TrialsText;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./beamtrain report --output=<dir> [--metric=<name> [--goal=MINIMIZE|MAXIMIZE]]
 * [--compare=<dir>,<dir>] [--format=html|table] [--watch [--watchSeconds=10]]}: writes {@code
 * <dir>/report.html} for a finished or running sweep (with the compared sweeps' optimisation
 * histories), prints it as a text table instead, or keeps the page current until the sweep ends.
 * No pipeline runs; it reads the result files and writes one page.
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

    @Description(
        "Other sweep outputs of the same data, comma-separated, whose optimisation history is drawn "
            + "beside this one's (e.g. random vs ASHA vs TPE)")
    String getCompare();

    void setCompare(String compare);

    @Description("html: write <output>/report.html; table: print a text table of the trials instead")
    @Default.String("html")
    String getFormat();

    void setFormat(String format);

    @Description(
        "Rewrite report.html every --watchSeconds until the sweep has written results.jsonl; the "
            + "open page reloads itself, keeping its sort and selection")
    @Default.Boolean(false)
    boolean getWatch();

    void setWatch(boolean watch);

    @Description("Seconds between rewrites (and page reloads) with --watch")
    @Default.Integer(10)
    int getWatchSeconds();

    void setWatchSeconds(int seconds);
  }

  /** What {@code --format} asks for. */
  enum OutputFormat {
    HTML,
    TABLE
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
    SweepSnapshot snapshot = SweepReader.read(outputDir, config, metric(options), Clock.systemUTC());
    List<SweepSnapshot> compared =
        SweepReport.readCompared(compared(options), snapshot, config, Clock.systemUTC());
    return SweepReport.write(snapshot, new PageOptions(compared, 0), config);
  }

  /**
   * Does what the flags ask: prints the text table ({@code --format=table}), keeps the page current
   * ({@code --watch}, one line per rewrite) or writes it once, printing {@code report: <path>}.
   *
   * @throws IllegalArgumentException for bad flags or an output that holds no sweep (the message
   *     names the flag)
   * @throws InterruptedException when a watch is interrupted
   */
  public static void run(String outputDir, Options options, StorageConfig config, PrintStream out)
      throws InterruptedException {
    OutputFormat format = format(options);
    if (format == OutputFormat.TABLE) {
      if (options.getWatch()) {
        throw new IllegalArgumentException("--watch writes report.html: it needs --format=html, not table");
      }
      out.print(TrialsText.render(SweepReader.read(outputDir, config, metric(options), Clock.systemUTC())));
      return;
    }
    if (options.getWatch()) {
      ReportWatch watch = new ReportWatch(outputDir, compared(options), metric(options),
          Duration.ofSeconds(options.getWatchSeconds()), config, Clock.systemUTC());
      watch.run(duration -> Thread.sleep(duration.toMillis()), out::println);
      return;
    }
    out.println("report: " + run(outputDir, options, config));
  }

  /** The flags of {@code dashboard}: the report's, and the port. */
  public interface DashboardOptions extends Options {
    @Description("Port of 127.0.0.1 to serve the report on; 0 for any free port")
    @Default.Integer(8080)
    int getPort();

    void setPort(int port);
  }

  /**
   * {@code beamtrain dashboard}: serves the report of {@code outputDir} on 127.0.0.1 (the page
   * reloading every {@code --watchSeconds} while the sweep runs) until the process is stopped;
   * prints where.
   *
   * @throws IllegalArgumentException for flags that make no sense here or a bad port (named)
   * @throws InterruptedException when stopped
   */
  public static void serve(String outputDir, DashboardOptions options, StorageConfig config, PrintStream out)
      throws InterruptedException {
    if (format(options) != OutputFormat.HTML || options.getWatch()) {
      throw new IllegalArgumentException("dashboard serves the live page: no --format=table, no --watch");
    }
    if (options.getWatchSeconds() < 1 || options.getPort() < 0 || options.getPort() > 65535) {
      throw new IllegalArgumentException("--port=" + options.getPort() + " --watchSeconds="
          + options.getWatchSeconds() + ": expected a port in 0..65535 and at least 1 second");
    }
    try (ReportServer server = ReportServer.start(outputDir, compared(options), metric(options), options.getPort(),
        options.getWatchSeconds(), config)) {
      out.println("dashboard: " + server.uri() + " (stop with Ctrl-C)");
      new CountDownLatch(1).await();
    }
  }

  static OutputFormat format(Options options) {
    String format = options.getFormat();
    try {
      return OutputFormat.valueOf(format.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--format=" + format + ": expected html or table", e);
    }
  }

  static List<String> compared(Options options) {
    String compare = options.getCompare();
    if (compare == null || compare.isBlank()) {
      return List.of();
    }
    List<String> dirs = new ArrayList<>();
    for (String dir : compare.split(",", -1)) {
      if (dir.isBlank()) {
        throw new IllegalArgumentException("--compare=" + compare + ": an empty directory between commas");
      }
      dirs.add(dir.trim());
    }
    return dirs;
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
