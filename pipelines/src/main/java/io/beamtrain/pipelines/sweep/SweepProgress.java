package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a running sweep from the JVM that launched it: trials done out of the total, running,
 * failed, the best trial so far, elapsed time and an estimate of the time left. On an interactive
 * terminal the status is one line refreshed in place every second; in logs it is a plain line
 * whenever the count of finished or failed trials changes (see {@link StatusLine}).
 *
 * <p>It watches the trials' {@code result.json} files rather than the runner's metrics, so it
 * works the same on every runner (including those whose {@code run()} blocks) and shows the best
 * metric value, which Beam counters cannot carry. A result counts once its file has been rewritten
 * since the sweep started (a new generation): the trainer writes RUNNING results at checkpoints
 * and the final one at the end. Only changed files are read, so a poll costs one listing. So
 * "running" counts trials that have checkpointed in this run and not finished; a trial still
 * before its first checkpoint is not yet among them. A result already final (and not FAILED) when
 * the sweep starts is a trial a re-run resumes as it is: it counts as done ("already done") until
 * it is rewritten, and {@link #resumed} names those never rewritten.
 *
 * <p>A plain sweep counts trials: the ETA is the elapsed time per finished trial times the trials
 * left. An adaptive study ({@link Plan#stepBudget()} &gt; 0) trains trials several times (rungs),
 * so a trial's latest result may be final now and RUNNING again later; it shows training steps
 * done out of the study's step budget, and the ETA follows the steps. Early stopping makes the
 * budget an upper bound, so that ETA errs long.
 *
 * <p>Thread-safe: {@link #poll} and {@link #line} are synchronized; {@link #start} polls on a
 * daemon thread until {@link #close}, which prints the final status.
 */
public final class SweepProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SweepProgress.class);
  /** How often a terminal status is redrawn (its clock ticks); storage is polled every period. */
  private static final Duration TERMINAL_REFRESH = Duration.ofSeconds(1);

  /**
   * What a sweep will do.
   *
   * @param label the line's prefix, e.g. {@code sweep} or {@code search}
   * @param trialIds every trial the sweep may train
   * @param stepBudget training steps the whole study spends at most; 0 = count trials instead
   */
  public record Plan(String label, Set<String> trialIds, long stepBudget) {
    public Plan {
      Objects.requireNonNull(label, "label");
      trialIds = Set.copyOf(trialIds);
      if (stepBudget < 0) {
        throw new IllegalArgumentException("stepBudget must be >= 0, was " + stepBudget);
      }
    }

    /** A plain sweep of {@code trialIds}, each trained once. */
    public static Plan trials(Set<String> trialIds) {
      return new Plan("sweep", trialIds, 0);
    }
  }

  private final OutputLayout layout;
  private final Plan plan;
  private final TrialRanking ranking;
  private final Storage storage;
  private final Clock clock;
  private final StatusLine status;
  private final Instant start;
  private final Map<String, Long> initialGenerations = new HashMap<>();
  private final Map<String, Long> initialSteps = new HashMap<>();
  /** Results already final (and not FAILED, which is re-run) when the sweep started: resumed as is. */
  private final Map<String, TrialResult> doneBefore = new HashMap<>();
  private final Map<String, Long> seenGenerations = new HashMap<>();
  private final Map<String, TrialResult> latest = new HashMap<>();
  private final Set<String> trained = new HashSet<>();
  private ScheduledExecutorService timer;
  private Instant lastPoll = Instant.MIN;
  private List<Long> reported = List.of(0L, 0L, 0L);

  SweepProgress(
      OutputLayout layout, Plan plan, MetricSpec metric, StorageConfig config, Clock clock, StatusLine status) {
    this.layout = layout;
    this.plan = plan;
    this.ranking = new TrialRanking(metric);
    this.storage = Storages.forPath(layout.root(), config);
    this.clock = clock;
    this.status = status;
    this.start = clock.instant();
    listResults().forEach((trial, object) -> {
      initialGenerations.put(trial, object.generation());
      TrialResult before = readOrNull(object);
      if (before == null) {
        return;
      }
      initialSteps.put(trial, before.steps());
      if (before.status().isFinal() && before.status() != TrialStatus.FAILED) {
        doneBefore.put(trial, before);
      }
    });
  }

  /**
   * Starts reporting a plain sweep of {@code trialIds} every {@code period}; a zero period
   * returns a reporter that never prints.
   */
  public static SweepProgress start(
      OutputLayout layout, Set<String> trialIds, MetricSpec metric, StorageConfig config, Duration period) {
    return start(layout, Plan.trials(trialIds), metric, config, period);
  }

  /** Starts reporting {@code plan} every {@code period} (see the class doc); zero = never. */
  public static SweepProgress start(
      OutputLayout layout, Plan plan, MetricSpec metric, StorageConfig config, Duration period) {
    if (period.isZero() || period.isNegative()) {
      return new SweepProgress(layout, plan, metric, config, Clock.systemUTC(),
          new StatusLine(false, System.err, line -> {}, 80));
    }
    StatusLine status = StatusLine.forStderr(LOG::info);
    SweepProgress progress;
    try {
      progress = new SweepProgress(layout, plan, metric, config, Clock.systemUTC(), status);
    } catch (RuntimeException e) {
      status.close(); // gives System.err back
      throw e;
    }
    Duration tick = status.isTerminal() && period.compareTo(TERMINAL_REFRESH) > 0 ? TERMINAL_REFRESH : period;
    progress.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "beamtrain-sweep-progress");
      thread.setDaemon(true);
      return thread;
    });
    progress.timer.scheduleWithFixedDelay(
        () -> progress.tick(period), 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    return progress;
  }

  /** Polls storage when {@code period} has passed since the last poll, then shows the status. */
  private void tick(Duration period) {
    try {
      Instant now = clock.instant();
      if (!now.isBefore(lastPoll.plus(period))) {
        lastPoll = now;
        poll();
      } else {
        show();
      }
    } catch (RuntimeException e) {
      // Progress is best effort: a listing that fails now is retried at the next tick.
      LOG.debug("progress poll failed: {}", e.getMessage());
    }
  }

  /** Reads new results, then shows the status (logged only when a count changed). */
  synchronized void poll() {
    listResults().forEach((trial, object) -> {
      long generation = object.generation();
      if (generation == initialGenerations.getOrDefault(trial, Long.MIN_VALUE)
          || seenGenerations.getOrDefault(trial, Long.MIN_VALUE) == generation) {
        return;
      }
      seenGenerations.put(trial, generation);
      TrialResult result = read(object);
      latest.put(trial, result);
      if (result.status().isFinal()) {
        trained.add(trial);
      }
    });
    show();
  }

  private synchronized void show() {
    List<Long> counts = List.of(done(), failed(), (long) trained.size());
    boolean changed = !counts.equals(reported);
    reported = counts;
    status.update(line(), changed);
  }

  /**
   * The status, e.g. {@code sweep: 3/8 trials done, 2 running, 1 failed, elapsed 1:00, ETA 1:40,
   * best eval_loss=0.0412 (trial-0002)} or, for an adaptive study, {@code search: 4100/12000 steps,
   * 5/13 trials trained, 2 running, elapsed 1:00, ETA 1:56, best ...}.
   */
  synchronized String line() {
    long done = done();
    long resumed = carriedOver().size();
    long running = latest.values().stream().filter(r -> r.status() == TrialStatus.RUNNING).count();
    long failed = failed();
    TrialResult best = Stream.concat(latest.values().stream(), carriedOver().stream())
        .filter(ranking::isEligible)
        .min(ranking.comparator())
        .orElse(null);
    Duration elapsed = Duration.between(start, clock.instant());
    int total = plan.trialIds().size();
    StringBuilder out = new StringBuilder(plan.label()).append(": ");
    Duration eta = null;
    if (plan.stepBudget() > 0) {
      // Steps of earlier runs count towards the budget; the ETA follows this run's pace.
      long steps = stepsDone();
      long before = initialSteps.values().stream().mapToLong(Long::longValue).sum();
      long left = plan.stepBudget() - before - steps;
      out.append(before + steps).append('/').append(plan.stepBudget()).append(" steps, ")
          .append(trained.size()).append('/').append(total).append(" trials trained");
      if (steps > 0 && left > 0) {
        eta = elapsed.multipliedBy(left).dividedBy(steps);
      }
    } else {
      out.append(done).append('/').append(total).append(" trials done");
      if (resumed > 0) {
        out.append(" (").append(resumed).append(" already done)");
      }
      long doneNow = done - resumed;
      if (doneNow > 0 && done < total) {
        eta = elapsed.multipliedBy(total - done).dividedBy(doneNow);
      }
    }
    if (running > 0) {
      out.append(", ").append(running).append(" running");
    }
    if (failed > 0) {
      out.append(", ").append(failed).append(" failed");
    }
    out.append(", elapsed ").append(clockTime(elapsed));
    if (eta != null) {
      out.append(", ETA ").append(clockTime(eta));
    }
    if (best != null) {
      String metric = ranking.metric().name();
      // The value before the trial's name: on a narrow terminal the line's end is cut off.
      out.append(", best ").append(metric).append('=')
          .append(String.format(Locale.ROOT, "%.4f", best.metric(metric)))
          .append(" (").append(best.trial()).append(')');
    }
    return out.toString();
  }

  /** Trials final now, those resumed as they were included. */
  private long done() {
    return latest.values().stream().filter(r -> r.status().isFinal()).count() + carriedOver().size();
  }

  private long failed() {
    return Stream.concat(latest.values().stream(), carriedOver().stream())
        .filter(r -> r.status().isFinal() && !ranking.isEligible(r)).count();
  }

  /** Results done before the sweep started and not rewritten since (as of the last poll). */
  private List<TrialResult> carriedOver() {
    return doneBefore.entrySet().stream()
        .filter(e -> !latest.containsKey(e.getKey()))
        .map(Map.Entry::getValue)
        .toList();
  }

  /**
   * The trials this run did not train: final (and not FAILED) before it started, and their
   * result.json not rewritten since. Lists storage now, so it holds after {@link #close} whatever
   * the polling period (the outcome's summary tells them apart from the trials trained).
   */
  public synchronized Set<String> resumed() {
    Set<String> resumed = new HashSet<>();
    listResults().forEach((trial, object) -> {
      if (doneBefore.containsKey(trial) && object.generation() == initialGenerations.get(trial)) {
        resumed.add(trial);
      }
    });
    return resumed;
  }

  /** Steps trained since the sweep started, over every trial's latest result. */
  private long stepsDone() {
    long steps = 0;
    for (Map.Entry<String, TrialResult> e : latest.entrySet()) {
      steps += Math.max(0, e.getValue().steps() - initialSteps.getOrDefault(e.getKey(), 0L));
    }
    return steps;
  }

  /** A result left by an earlier run; null when unreadable (it is rewritten when the trial runs). */
  private TrialResult readOrNull(StorageObject object) {
    try {
      return read(object);
    } catch (RuntimeException e) {
      LOG.debug("{}: not counted: {}", object.path(), e.getMessage());
      return null;
    }
  }

  private TrialResult read(StorageObject object) {
    return TrialResult.fromJson(
        new String(storage.readBytes(object.path()), StandardCharsets.UTF_8), object.path());
  }

  private Map<String, StorageObject> listResults() {
    Map<String, StorageObject> results = new HashMap<>();
    for (StorageObject object : storage.list(StoragePaths.asPrefix(layout.trials()))) {
      String path = object.path();
      if (!path.endsWith("/" + OutputLayout.RESULT_JSON)) {
        continue;
      }
      String trial = StoragePaths.fileName(StoragePaths.parent(path));
      if (plan.trialIds().contains(trial)) {
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

  /** Stops polling, shows the final status (one last poll) and ends the status line. */
  @Override
  public void close() {
    if (timer == null) {
      status.close();
      return;
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      poll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("final progress poll failed: {}", e.getMessage());
    } finally {
      status.close();
    }
  }
}
