package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a running sweep from the JVM that launched it: trials done out of the total, failures,
 * the best trial so far, elapsed time and an estimate of the time left.
 *
 * <p>It watches the trials' {@code result.json} files rather than the runner's metrics, so it
 * works the same on every runner (including those whose {@code run()} blocks) and shows the best
 * metric value, which Beam counters cannot carry. A result counts once its file has been
 * rewritten since the sweep started (a new generation) with a final status: the trainer writes
 * RUNNING results at checkpoints and the final one at the end. Only changed files are read, so a
 * poll costs one listing.
 *
 * <p>Prints a line when the count of finished trials changes, nothing otherwise. Thread-safe:
 * {@link #poll} is synchronized; {@link #start} polls on a daemon thread until {@link #close}.
 */
public final class SweepProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SweepProgress.class);

  private final OutputLayout layout;
  private final Set<String> trialIds;
  private final TrialRanking ranking;
  private final Storage storage;
  private final Clock clock;
  private final Consumer<String> sink;
  private final Instant start;
  private final Map<String, Long> initialGenerations = new HashMap<>();
  private final Map<String, Long> seenGenerations = new HashMap<>();
  private final Map<String, TrialResult> finished = new HashMap<>();
  private ScheduledExecutorService timer;
  private int reported = -1;

  SweepProgress(
      OutputLayout layout,
      Set<String> trialIds,
      MetricSpec metric,
      StorageConfig config,
      Clock clock,
      Consumer<String> sink) {
    this.layout = layout;
    this.trialIds = Set.copyOf(trialIds);
    this.ranking = new TrialRanking(metric);
    this.storage = Storages.forPath(layout.root(), config);
    this.clock = clock;
    this.sink = sink;
    this.start = clock.instant();
    listResults().forEach((trial, object) -> initialGenerations.put(trial, object.generation()));
  }

  /**
   * Starts reporting every {@code period} to the log; a zero period returns a reporter that
   * never prints.
   */
  public static SweepProgress start(
      OutputLayout layout, Set<String> trialIds, MetricSpec metric, StorageConfig config, Duration period) {
    SweepProgress progress =
        new SweepProgress(layout, trialIds, metric, config, Clock.systemUTC(), LOG::info);
    if (!period.isZero() && !period.isNegative()) {
      progress.timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "beamtrain-sweep-progress");
        thread.setDaemon(true);
        return thread;
      });
      progress.timer.scheduleWithFixedDelay(
          progress::pollQuietly, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }
    return progress;
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      // Progress is best effort: a listing that fails now is retried at the next tick.
      LOG.debug("progress poll failed: {}", e.getMessage());
    }
  }

  /** Reads new results and prints a line when the number of finished trials changed. */
  synchronized void poll() {
    listResults().forEach((trial, object) -> {
      long generation = object.generation();
      if (generation == initialGenerations.getOrDefault(trial, Long.MIN_VALUE)
          || seenGenerations.getOrDefault(trial, Long.MIN_VALUE) == generation) {
        return;
      }
      seenGenerations.put(trial, generation);
      TrialResult result = TrialResult.fromJson(
          new String(storage.readBytes(object.path()), StandardCharsets.UTF_8), object.path());
      if (result.status().isFinal()) {
        finished.put(trial, result);
      }
    });
    if (finished.size() != reported) {
      reported = finished.size();
      if (reported > 0) {
        sink.accept(line());
      }
    }
  }

  /** The progress line, e.g. {@code 3/8 trials done (1 failed), best trial-0002 eval_loss=0.0412, ...}. */
  synchronized String line() {
    int done = finished.size();
    long failed = finished.values().stream().filter(r -> !ranking.isEligible(r)).count();
    TrialResult best = finished.values().stream()
        .filter(ranking::isEligible)
        .min(ranking.comparator())
        .orElse(null);
    Duration elapsed = Duration.between(start, clock.instant());
    StringBuilder out = new StringBuilder("sweep: ")
        .append(done).append('/').append(trialIds.size()).append(" trials done");
    if (failed > 0) {
      out.append(" (").append(failed).append(" failed)");
    }
    if (best != null) {
      String metric = ranking.metric().name();
      out.append(", best ").append(best.trial()).append(' ').append(metric).append('=')
          .append(String.format(Locale.ROOT, "%.4f", best.metric(metric)));
    }
    out.append(", elapsed ").append(clockTime(elapsed));
    if (done > 0 && done < trialIds.size()) {
      Duration eta = elapsed.multipliedBy(trialIds.size() - done).dividedBy(done);
      out.append(", ETA ").append(clockTime(eta));
    }
    return out.toString();
  }

  private Map<String, StorageObject> listResults() {
    Map<String, StorageObject> results = new HashMap<>();
    for (StorageObject object : storage.list(StoragePaths.asPrefix(layout.trials()))) {
      String path = object.path();
      if (!path.endsWith("/" + OutputLayout.RESULT_JSON)) {
        continue;
      }
      String trial = StoragePaths.fileName(StoragePaths.parent(path));
      if (trialIds.contains(trial)) {
        results.put(trial, object);
      }
    }
    return results;
  }

  static String clockTime(Duration d) {
    long seconds = Math.max(0, d.toSeconds());
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
