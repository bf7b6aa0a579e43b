package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.pipelines.testing.TestPipelines;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunTrialsTest {
  @TempDir static Path tmp;
  static OutputLayout layout;

  @BeforeAll
  static void preprocess() {
    layout = PenguinsData.preprocessedOutput(tmp);
  }

  private static Trial trial(int index, Map<String, Object> params) {
    return new Trial(Trial.idOf(index), index, new TreeMap<>(params), 1000L + index);
  }

  @Test
  void aFailingTrialIsRecordedAndTheOthersStillTrain() throws Throwable {
    TrialSettings settings = new TrialSettings(layout, layout.data(), MetricSpec.defaultMetric(),
        60, 30, 30, 0, 2, 2, StorageConfig.defaults(), false);
    List<Trial> trials = List.of(
        trial(0, Map.of("model", "linear", "learning_rate", 0.05)),
        trial(1, Map.of("model", "dnn", "hidden_units", 0)));
    TestPipelines.run(RunTrialsTest.class, "failing", p -> {
      PCollection<TrialResult> results = p
          .apply(Create.of(trials).withCoder(SerializableCoder.of(Trial.class)))
          .apply(RunTrials.with(settings));
      PAssert.that(results).satisfies(all -> {
        List<TrialResult> sorted = ResultsFiles.sorted(all);
        assertEquals(2, sorted.size());
        TrialResult good = sorted.get(0);
        assertEquals("trial-0000", good.trial());
        assertEquals(TrialStatus.COMPLETED, good.status());
        assertEquals(60, good.steps());
        assertEquals(1000L, good.seed());
        assertTrue(Double.isFinite(good.metric("eval_loss")), good.toJson());
        TrialResult bad = sorted.get(1);
        assertEquals(TrialStatus.FAILED, bad.status());
        assertTrue(bad.error().contains("hidden_units"), bad.error());
        assertEquals(Map.of("model", "dnn", "hidden_units", 0), bad.params());
        return null;
      });
      p.run().waitUntilFinish();
    });
    assertTrue(Files.exists(Path.of(layout.trialDir("trial-0000"), "model.ckpt-60.index")));
    String failedResult = Files.readString(Path.of(layout.resultJson("trial-0001")));
    assertTrue(failedResult.contains("\"FAILED\""), failedResult);
  }

  @Test
  void eachTrialIsItsOwnBundleAfterTheReshuffle() throws Throwable {
    // With four trials and a target parallelism of four, the DirectRunner must be able to run
    // trials at the same time: their [start, end] intervals overlap.
    TrialSettings settings = new TrialSettings(new OutputLayout(tmp.resolve("parallel").toString()),
        layout.data(), MetricSpec.defaultMetric(), 40, 40, 40, 0, 4, 4, StorageConfig.defaults(), false);
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      trials.add(trial(i, Map.of("model", "linear")));
    }
    TestPipelines.run(RunTrialsTest.class, "parallel", p -> {
      p.getOptions().as(DirectOptions.class).setTargetParallelism(4);
      PCollection<TrialResult> results = p
          .apply(Create.of(trials).withCoder(SerializableCoder.of(Trial.class)))
          .apply(RunTrials.with(settings));
      PAssert.that(results).satisfies(all -> {
        assertEquals(4, ResultsFiles.sorted(all).size());
        return null;
      });
      p.run().waitUntilFinish();
    });
    assertTrue(anyOverlap(settings, trials), "no two trials ran at the same time");
  }

  /**
   * Every stage that trains trials holds to the JVM's trial slots: one trial per worker means one
   * at a time, whatever the runner's threads, for a sweep, a search's rung and warm-started
   * challengers alike.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sweep", "rung", "warm-start"})
  void everyTrainingStageTrainsAtMostTrialsPerWorkerAtOnce(String stage) throws Throwable {
    TrialSettings settings = new TrialSettings(new OutputLayout(tmp.resolve("slots-" + stage).toString()),
        layout.data(), MetricSpec.defaultMetric(), 40, 40, 40, 0, 1, 3, StorageConfig.defaults(), false);
    RunTrials train = switch (stage) {
      case "sweep" -> RunTrials.with(settings);
      case "rung" -> RunTrials.rung(settings).withBudget(40);
      default -> RunTrials.with(settings).withWarmStart(WarmStart.none());
    };
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      trials.add(trial(i, Map.of("model", "linear")));
    }
    TestPipelines.run(RunTrialsTest.class, "slots-" + stage, p -> {
      p.getOptions().as(DirectOptions.class).setTargetParallelism(4);
      PCollection<TrialResult> results = p
          .apply(Create.of(trials).withCoder(SerializableCoder.of(Trial.class)))
          .apply(train);
      PAssert.that(results).satisfies(all -> {
        assertEquals(3, ResultsFiles.sorted(all).size());
        return null;
      });
      p.run().waitUntilFinish();
    });
    assertFalse(anyOverlap(settings, trials), "two trials trained at once with one slot");
  }

  /** Whether two trials ran at the same time: (result.json written) - (training time) to (result.json written). */
  private static boolean anyOverlap(TrialSettings settings, List<Trial> trials) throws IOException {
    List<long[]> intervals = new ArrayList<>();
    for (Trial t : trials) {
      Path result = Path.of(settings.layout().resultJson(t.id()));
      long end = Files.getLastModifiedTime(result).toMillis();
      double seconds = TrialResult.fromJson(Files.readString(result), result.toString()).elapsedSeconds();
      intervals.add(new long[] {end - (long) (seconds * 1000), end});
    }
    boolean overlap = false;
    for (int i = 0; i < intervals.size(); i++) {
      for (int j = i + 1; j < intervals.size(); j++) {
        overlap |= intervals.get(i)[0] < intervals.get(j)[1] && intervals.get(j)[0] < intervals.get(i)[1];
      }
    }
    return overlap;
  }
}
