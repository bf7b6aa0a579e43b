package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a trial tells its listener: where an attempt starts, each save's time, its throughput. */
class TrainingListenerTest {
  @TempDir static Path data;
  @TempDir Path trials;
  static String dataDir;

  @BeforeAll
  static void writeData() {
    dataDir = DataDirFixture.syntheticRegression(400, 3, 5).write(data.resolve("regression")).dataDir();
  }

  /** Records every callback. */
  private static final class Recorder implements TrainingListener {
    final List<Long> starts = new ArrayList<>();
    final List<Long> checkpointSteps = new ArrayList<>();
    final List<Duration> saveTimes = new ArrayList<>();
    final List<Long> committedSteps = new ArrayList<>();
    final List<Duration> sinceSaves = new ArrayList<>();
    final List<String> committedOn = new ArrayList<>();
    final List<LoopTimings> loops = new ArrayList<>();
    final List<String> order = new ArrayList<>();

    @Override
    public void onStart(long step) {
      starts.add(step);
      order.add("start");
    }

    @Override
    public void onEvaluation(long step, Map<String, Double> metrics) {
      order.add("eval");
    }

    @Override
    public void onCheckpoint(long step, Duration saveTime) {
      checkpointSteps.add(step);
      saveTimes.add(saveTime);
      order.add("checkpoint");
    }

    @Override
    public void onCheckpointCommitted(long step, Duration sinceSave) {
      committedSteps.add(step);
      sinceSaves.add(sinceSave);
      committedOn.add(Thread.currentThread().getName());
      order.add("committed");
    }

    @Override
    public void onLoopEnd(LoopTimings timings) {
      loops.add(timings);
      order.add("end");
    }
  }

  private TrialSpec spec(int steps) {
    return spec(steps, true);
  }

  private TrialSpec spec(int steps, boolean async) {
    return TrialSpec.builder()
        .asyncCheckpoints(async)
        .dataDir(dataDir)
        .trialDir(trials.resolve("trial-0000").toString())
        .params(Map.of("model", "linear", "batch_size", 16))
        .seed(3)
        .trainSteps(steps)
        .evalEverySteps(20)
        .checkpointEverySteps(40)
        .intraOpThreads(1)
        .interOpThreads(1)
        .build();
  }

  @Test
  void reportsStartStepSaveTimesAndThroughputPerAttempt() {
    Recorder first = new Recorder();
    TrialRunner.run(spec(80), first);
    Recorder second = new Recorder();
    TrialRunner.run(spec(120), second);

    assertEquals(List.of(0L), first.starts);
    assertEquals(List.of(80L), second.starts, "a continued trial starts at its checkpoint");
    // Every evaluation of this linear model is a new best, so each one is checkpointed as well as
    // the cadence's (every 40 steps).
    assertEquals(List.of(20L, 40L, 60L, 80L), first.checkpointSteps);
    assertEquals(List.of(100L, 120L), second.checkpointSteps);
    assertTrue(first.saveTimes.stream().allMatch(d -> d.toNanos() > 0), first.saveTimes.toString());
    assertEquals("start", first.order.get(0));
    assertEquals(List.of("start", "eval", "checkpoint", "eval", "checkpoint", "eval", "checkpoint", "eval",
            "checkpoint", "end"),
        first.order.stream().filter(o -> !o.equals("committed")).toList());
    assertEquals(List.of(20L, 40L, 60L, 80L), first.committedSteps, "every async save reported committed once, in order");
    assertEquals(List.of(100L, 120L), second.committedSteps);
    assertEquals("end", first.order.get(first.order.size() - 1), "commits are reported before the loop ends");
    assertTrue(first.sinceSaves.stream().noneMatch(Duration::isNegative), first.sinceSaves.toString());
    String trainingThread = Thread.currentThread().getName();
    assertTrue(first.committedOn.stream().allMatch(trainingThread::equals),
        "reported on the training thread, not the checkpoint thread: " + first.committedOn);

    LoopTimings loop = first.loops.get(0);
    assertEquals(80, loop.steps());
    assertEquals(80 * 16, loop.examples());
    assertTrue(loop.examplesPerSecond() > 0, loop.toString());
    assertEquals(40, second.loops.get(0).steps());
  }

  @Test
  void synchronousCommitsAreReportedRightAfterEachSaveWithinItsWait() {
    Recorder sync = new Recorder();
    TrialRunner.run(spec(80, false), sync);

    assertEquals(List.of(20L, 40L, 60L, 80L), sync.committedSteps);
    assertEquals(List.of("start", "eval", "checkpoint", "committed", "eval", "checkpoint", "committed", "eval",
        "checkpoint", "committed", "eval", "checkpoint", "committed", "end"), sync.order);
    for (int i = 0; i < 4; i++) {
      Duration commit = sync.sinceSaves.get(i);
      assertTrue(!commit.isNegative() && commit.compareTo(sync.saveTimes.get(i)) <= 0,
          "the commit happens inside the blocking save: " + commit + " vs " + sync.saveTimes.get(i));
    }
  }

  @Test
  void allCallsEveryListenerAndStopsOnTheFirstReason() {
    Recorder a = new Recorder();
    List<String> asked = new ArrayList<>();
    TrainingListener stopper = new TrainingListener() {
      @Override
      public String stopReason(long step, Map<String, Double> metrics) {
        asked.add("stopper@" + step);
        return "enough at " + step;
      }
    };
    TrainingListener late = new TrainingListener() {
      @Override
      public String stopReason(long step, Map<String, Double> metrics) {
        asked.add("late@" + step);
        return "late reason";
      }
    };
    TrainingListener all = TrainingListener.all(a, stopper, late);

    all.onStart(5);
    all.onCheckpoint(10, Duration.ofMillis(3));
    all.onCheckpointCommitted(10, Duration.ofMillis(7));
    assertEquals("enough at 10", all.stopReason(10, Map.of()));
    assertEquals(List.of("stopper@10", "late@10"), asked);
    assertEquals(List.of(5L), a.starts);
    assertEquals(List.of(Duration.ofMillis(3)), a.saveTimes);
    assertEquals(List.of(Duration.ofMillis(7)), a.sinceSaves);
  }
}
