package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps a running sweep's {@code report.html} current ({@code beamtrain report --watch}): reads the
 * output and rewrites the page every {@code interval}, the page told to reload itself as often
 * ({@link PageOptions#refreshSeconds}); once the sweep has written results.jsonl it writes the
 * final page, which no longer reloads, and returns. The compared sweeps are read again each round
 * (they may be running too). Not thread-safe; one watch per output.
 */
public final class ReportWatch {
  /** Waits between rounds; tests pass one that does not sleep. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final String outputDir;
  private final List<String> compare;
  private final MetricChoice metric;
  private final Duration interval;
  private final StorageConfig config;
  private final Clock clock;

  /**
   * @param metric the metric to rank by, or null for the report's default
   * @param interval time between rounds, at least one second
   */
  public ReportWatch(String outputDir, List<String> compare, MetricChoice metric, Duration interval,
      StorageConfig config, Clock clock) {
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("--watchSeconds=" + interval.toSeconds() + ": must be at least 1");
    }
    this.outputDir = outputDir;
    this.compare = List.copyOf(compare);
    this.metric = metric;
    this.interval = interval;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Rewrites the report until the sweep has finished; returns the report's path. Each write is
   * announced to {@code progress} ("report: <path> (<n> trials, running)").
   *
   * @throws IllegalArgumentException when the output (or a compared one) holds no sweep
   * @throws InterruptedException when interrupted between rounds
   */
  public String run(Sleeper sleeper, Consumer<String> progress) throws InterruptedException {
    while (true) {
      SweepSnapshot snapshot = SweepReader.read(outputDir, config, metric, clock);
      List<SweepSnapshot> compared = SweepReport.readCompared(compare, snapshot, config, clock);
      boolean finished = snapshot.finished();
      int refresh = finished ? 0 : (int) interval.toSeconds();
      String path = SweepReport.write(snapshot, new PageOptions(compared, refresh), config);
      progress.accept("report: " + path + " (" + snapshot.trials().size() + " trials, "
          + (finished ? "finished" : "running") + ")");
      if (finished) {
        return path;
      }
      sleeper.sleep(interval);
    }
  }
}
