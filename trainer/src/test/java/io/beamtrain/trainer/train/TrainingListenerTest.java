package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.TrialRunner;
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
    public void onLoopEnd(LoopTimings timings) {
      loops.add(timings);
      order.add("end");
    }
  }

  private TrialSpec spec(int steps) {
    return TrialSpec.builder()
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
    assertEquals(List.of(40L, 80L), first.checkpointSteps);
    assertEquals(List.of(120L), second.checkpointSteps);
    assertTrue(first.saveTimes.stream().allMatch(d -> d.toNanos() > 0), first.saveTimes.toString());
    assertEquals(List.of("start", "eval", "eval", "checkpoint", "eval", "eval", "checkpoint", "end"), first.order);

    LoopTimings loop = first.loops.get(0);
    assertEquals(80, loop.steps());
    assertEquals(80 * 16, loop.examples());
    assertTrue(loop.examplesPerSecond() > 0, loop.toString());
    assertEquals(40, second.loops.get(0).steps());
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
    assertEquals("enough at 10", all.stopReason(10, Map.of()));
    assertEquals(List.of("stopper@10", "late@10"), asked);
    assertEquals(List.of(5L), a.starts);
    assertEquals(List.of(Duration.ofMillis(3)), a.saveTimes);
  }
}
