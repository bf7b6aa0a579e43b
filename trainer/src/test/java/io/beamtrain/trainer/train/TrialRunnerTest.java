package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.events.EventFileReader;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialRunnerTest {
  @TempDir static Path data;
  @TempDir Path trials;

  static String penguins;
  static String regression;

  @BeforeAll
  static void writeData() {
    penguins = DataDirFixture.penguins().write(data.resolve("penguins")).dataDir();
    regression =
        DataDirFixture.syntheticRegression(1500, 3, 5).write(data.resolve("regression")).dataDir();
  }

  private TrialSpec.Builder spec(String name, String dataDir) {
    return TrialSpec.builder()
        .dataDir(dataDir)
        .trialDir(trials.resolve(name).toString())
        .seed(17)
        .evalEverySteps(50)
        .checkpointEverySteps(100)
        .intraOpThreads(1)
        .interOpThreads(1);
  }

  @Test
  void defaultTrialOnPenguinsCompletesWithHighAccuracyAndWritesItsFiles() throws IOException {
    TrialSpec spec =
        spec("trial-0001", penguins)
            .trainSteps(300)
            .metric(new MetricSpec(MetricSpec.EVAL_ACCURACY, Goal.MAXIMIZE))
            .build();
    TrialResult result = TrialRunner.run(spec);

    assertEquals(TrialStatus.COMPLETED, result.status());
    assertEquals("trial-0001", result.trial());
    assertEquals(300, result.steps());
    assertTrue(result.metric(MetricSpec.EVAL_ACCURACY) >= 0.95, result.toJson());
    assertEquals(List.of(50L, 100L, 150L, 200L, 250L, 300L), result.history().stream().map(TrialResult.Evaluation::step).toList());
    assertEquals(
        List.of(MetricSpec.EVAL_LOSS, MetricSpec.EVAL_ACCURACY),
        List.copyOf(result.history().get(0).metrics().keySet()));
    TrialResult.Evaluation best = result.history().stream().filter(e -> e.step() == result.bestStep()).findFirst().orElseThrow();
    assertEquals(best.metrics(), result.metrics());
    assertTrue(result.history().stream().allMatch(e -> e.metric(MetricSpec.EVAL_ACCURACY) <= result.metric(MetricSpec.EVAL_ACCURACY)));

    Path dir = trials.resolve("trial-0001");
    TrialResult onDisk = TrialResult.fromJson(Files.readString(dir.resolve("result.json")), "result.json");
    assertEquals(result, onDisk);
    String params = Files.readString(dir.resolve("params.json"));
    assertTrue(params.contains("\"seed\" : 17") && params.contains("\"hidden_layers\" : \"64,64\""), params);
    Checkpoint latest = CheckpointManager.latestCheckpoint(dir.toString(), StorageConfig.defaults()).orElseThrow();
    assertEquals(300, latest.step());
    assertEquals(result.history().get(5).metrics(), latest.metrics());
    assertTrue(Files.exists(dir.resolve("model.ckpt-300.meta")));
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> events = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).toList();
      assertEquals(1, events.size());
      Map<String, TreeMap<Long, Float>> scalars =
          EventFileReader.scalars(events.get(0).toString(), StorageConfig.defaults());
      assertEquals(
          List.of(50L, 100L, 150L, 200L, 250L, 300L),
          List.copyOf(scalars.get(MetricSpec.EVAL_ACCURACY).keySet()));
      assertTrue(scalars.containsKey("loss") && scalars.containsKey("examples_per_sec"), scalars.keySet().toString());
    }

    // Running a finished trial again does no work and returns the same result.
    assertEquals(result, TrialRunner.run(spec));
  }

  @Test
  void theSameRowsInAnotherShardLayoutTrainTheSameTrial() {
    // Preprocess deals rows to shards by the runner's bundles: the same data can come in other
    // files, in another order. A seeded trial must not notice.
    String oneShard = DataDirFixture.penguins().shards(1, 1).write(data.resolve("penguins-1")).dataDir();
    String threeShards = DataDirFixture.penguins().shards(3, 2).write(data.resolve("penguins-3")).dataDir();
    TrialResult a = TrialRunner.run(spec("one-shard", oneShard).trainSteps(150).build());
    TrialResult b = TrialRunner.run(spec("three-shards", threeShards).trainSteps(150).build());
    assertEquals(a.history(), b.history());
    assertEquals(a.metrics(), b.metrics());
  }

  @Test
  void resumedTrialEndsBitIdenticalToAnUninterruptedOne() throws IOException {
    // decay_steps fixed: by default the schedule spans trainSteps, which differs between the runs.
    Map<String, Object> params =
        Map.of("dropout", 0.2, "learning_rate_decay", "cosine", "decay_steps", 600);
    TrialResult straight = TrialRunner.run(spec("straight", penguins).params(params).trainSteps(600).build());

    TrialResult first = TrialRunner.run(spec("resumed", penguins).params(params).trainSteps(300).build());
    assertEquals(300, first.steps());
    TrialResult resumed = TrialRunner.run(spec("resumed", penguins).params(params).trainSteps(600).build());

    assertEquals(TrialStatus.COMPLETED, resumed.status());
    assertEquals(straight.history(), resumed.history());
    assertEquals(straight.metrics(), resumed.metrics());
    assertEquals(straight.bestStep(), resumed.bestStep());
    assertArrayEquals(
        Files.readAllBytes(trials.resolve("straight/model.ckpt-600.data-00000-of-00001")),
        Files.readAllBytes(trials.resolve("resumed/model.ckpt-600.data-00000-of-00001")),
        "weights and optimizer state at step 600 differ");
  }

  @Test
  void crashedTrialResumesFromItsLastCheckpointWithItsHistory() throws IOException {
    TrialResult straight = TrialRunner.run(spec("straight", regression).trainSteps(400).build());

    TrialSpec spec = spec("crashed", regression).trainSteps(400).build();
    TrainingListener crashAt250 =
        new TrainingListener() {
          @Override
          public void onEvaluation(long step, Map<String, Double> metrics) {
            if (step == 250) {
              throw new IllegalStateException("simulated crash");
            }
          }
        };
    assertThrows(IllegalStateException.class, () -> TrialRunner.run(spec, crashAt250));
    TrialResult partial =
        new TrialDirectory(spec.trialDir(), StorageConfig.defaults()).readResult().orElseThrow();
    assertEquals(TrialStatus.RUNNING, partial.status());
    assertEquals(200, partial.steps());

    TrialResult resumed = TrialRunner.run(spec);
    assertEquals(straight.history(), resumed.history());
    assertEquals(straight.metrics(), resumed.metrics());
    assertTrue(resumed.elapsedSeconds() >= partial.elapsedSeconds());
    assertArrayEquals(
        Files.readAllBytes(trials.resolve("straight/model.ckpt-400.data-00000-of-00001")),
        Files.readAllBytes(trials.resolve("crashed/model.ckpt-400.data-00000-of-00001")));
  }

  @Test
  void divergingTrialIsRecordedNotThrown() {
    TrialSpec spec =
        spec("diverged", regression)
            .params(Map.of("optimizer", "sgd", "learning_rate", 1e6))
            .trainSteps(300)
            .build();
    TrialResult result = TrialRunner.run(spec);
    assertEquals(TrialStatus.DIVERGED, result.status());
    assertTrue(result.steps() < 300, result.toJson());
    assertTrue(result.reason().contains("loss is") && result.reason().contains("at step " + result.steps()), result.reason());
    assertTrue(Files.exists(trials.resolve("diverged/result.json")));
    // No checkpoint of diverged weights was committed.
    CheckpointManager.latestCheckpoint(spec.trialDir(), StorageConfig.defaults())
        .ifPresent(c -> assertTrue(c.step() < result.steps()));
    assertEquals(result, TrialRunner.run(spec));
  }

  @Test
  void earlyStoppingStopsOnAPlateauWithAReason() {
    TrialSpec spec =
        spec("stopped", penguins)
            .evalEverySteps(20)
            .trainSteps(2000)
            .earlyStoppingPatience(3)
            .metric(new MetricSpec(MetricSpec.EVAL_ACCURACY, Goal.MAXIMIZE))
            .build();
    TrialResult result = TrialRunner.run(spec);
    assertEquals(TrialStatus.STOPPED, result.status());
    assertTrue(result.steps() < 2000);
    assertTrue(result.reason().contains("eval_accuracy did not improve for 3 evaluations"), result.reason());
    assertEquals(result.steps(), CheckpointManager.latestCheckpoint(spec.trialDir(), StorageConfig.defaults()).orElseThrow().step());
    List<TrialResult.Evaluation> h = result.history();
    assertTrue(h.get(h.size() - 4).step() == result.bestStep() || h.get(h.size() - 4).metric(MetricSpec.EVAL_ACCURACY) >= h.get(h.size() - 1).metric(MetricSpec.EVAL_ACCURACY));
  }

  @Test
  void streamedTrainingDataTrainsToo() {
    TrialResult result =
        TrialRunner.run(
            spec("streamed", penguins)
                .maxInMemoryBytes(1) // nothing fits: train and eval splits are streamed
                .trainSteps(300)
                .build());
    assertEquals(TrialStatus.COMPLETED, result.status());
    assertTrue(result.history().get(result.history().size() - 1).metric(MetricSpec.EVAL_ACCURACY) > 0.9, result.toJson());
  }

  @Test
  void concurrentTrialsInOneJvmGiveTheSameResultsAsSequentialOnes() throws Exception {
    List<Map<String, Object>> params =
        List.of(Map.of("dropout", 0.2), Map.of("optimizer", "rmsprop"), Map.of("model", "linear"));
    List<TrialResult> sequential = new java.util.ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      sequential.add(TrialRunner.run(spec("seq-" + i, penguins).params(params.get(i)).trainSteps(150).build()));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      List<java.util.concurrent.Future<TrialResult>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < params.size(); i++) {
        TrialSpec spec =
            spec("par-" + i, penguins).params(params.get(i)).trainSteps(150).concurrentTrials(3).build();
        futures.add(pool.submit(() -> TrialRunner.run(spec)));
      }
      for (int i = 0; i < params.size(); i++) {
        TrialResult parallel = futures.get(i).get();
        assertEquals(sequential.get(i).history(), parallel.history(), "trial " + i);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void warmStartCopiesTheWeightsOfAnotherCheckpoint() {
    TrialResult source = TrialRunner.run(spec("source", penguins).trainSteps(200).build());
    String prefix = trials.resolve("source/model.ckpt-200").toString();
    // One tiny SGD step from the warm-started weights: the model is (almost) the source model.
    TrialResult warm =
        TrialRunner.run(
            spec("warm", penguins)
                .params(Map.of("optimizer", "sgd", "learning_rate", 1e-6))
                .warmStartFrom(prefix)
                .trainSteps(1)
                .build());
    assertEquals(
        source.history().get(source.history().size() - 1).metric(MetricSpec.EVAL_LOSS),
        warm.metric(MetricSpec.EVAL_LOSS),
        1e-4);
    TrialResult cold =
        TrialRunner.run(
            spec("cold", penguins).params(Map.of("optimizer", "sgd", "learning_rate", 1e-6)).trainSteps(1).build());
    assertTrue(cold.metric(MetricSpec.EVAL_LOSS) > 2 * warm.metric(MetricSpec.EVAL_LOSS));

    BadInputException wrongShape =
        assertThrows(
            BadInputException.class,
            () ->
                TrialRunner.run(
                    spec("mismatch", penguins)
                        .params(Map.of("hidden_units", 8))
                        .warmStartFrom(prefix)
                        .trainSteps(1)
                        .build()));
    assertTrue(wrongShape.getMessage().startsWith("cannot warm start from " + prefix), wrongShape.getMessage());
    assertFalse(Files.exists(trials.resolve("mismatch")), () -> { try (Stream<Path> f = Files.walk(trials.resolve("mismatch"))) { return f.toList().toString(); } catch (IOException e) { return e.toString(); } });
    assertNotNull(warm.bestStep());
  }
}
