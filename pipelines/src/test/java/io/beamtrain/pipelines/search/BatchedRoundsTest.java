package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.MedianStopping;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Scale;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batched rounds (median stopping, TPE) on penguins with the real trainer and the DirectRunner. */
class BatchedRoundsTest {
  @TempDir static Path tmp;
  static String input;

  @BeforeAll
  static void writeData() {
    input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
  }

  private static OutputLayout preprocessed(String name) {
    OutputLayout layout = new OutputLayout(tmp.resolve(name).toString());
    PenguinsData.preprocess(input, layout.root(), StorageConfig.defaults());
    return layout;
  }

  private static TrialSettings settings(OutputLayout layout, int steps, int trials) {
    return new TrialSettings(layout, layout.data(), MetricSpec.defaultMetric(), steps, 10, 10, 0, 2,
        trials, StorageConfig.defaults(), false);
  }

  private static TrialResult read(OutputLayout layout, String trial) {
    try {
      Path path = Path.of(layout.resultJson(trial));
      return TrialResult.fromJson(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aTrialWorseThanTheMedianOfEarlierRoundsIsStoppedWithItsStepAndReason() {
    OutputLayout layout = preprocessed("median");
    List<Trial> trials = List.of(
        trial(0, 0.05), trial(1, 0.08), trial(2, 0.03), trial(3, 0.00001));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(BatchedRounds.of(new PlannedRounds(trials, 3), 2, settings(layout, 40, 4))
        .withMedianStopping(new MedianStopping(20, 3)));
    pipeline.run().waitUntilFinish();

    for (int i = 0; i < 3; i++) {
      TrialResult r = read(layout, Trial.idOf(i));
      assertEquals(TrialStatus.COMPLETED, r.status(), r.toJson());
      assertEquals(40, r.steps());
    }
    TrialResult slow = read(layout, "trial-0003");
    assertEquals(TrialStatus.STOPPED, slow.status(), slow.toJson());
    assertEquals(20, slow.steps(), "not before minSteps");
    assertTrue(slow.reason().startsWith("median stopping at step 20: best eval_loss"), slow.reason());
    assertTrue(Files.exists(Path.of(layout.trialDir("trial-0003"), "model.ckpt-20.index")));
  }

  @Test
  void tpeRoundsProposeFromEarlierResultsDeterministically() {
    OutputLayout layout = preprocessed("tpe");
    List<ParameterSpec> space = List.of(
        ParameterSpec.doubleRange("learning_rate", 0.001, 0.3, Scale.LOG),
        ParameterSpec.categorical("optimizer", "adam", "sgd"));
    TpeProposer proposer = new TpeProposer(space, Map.of("model", "linear"), MetricSpec.defaultMetric(), 11, 3, 6);
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(BatchedRounds.of(proposer, 2, settings(layout, 20, 6)));
    pipeline.run().waitUntilFinish();

    List<TrialResult> results = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      TrialResult r = read(layout, Trial.idOf(i));
      assertEquals(TrialStatus.COMPLETED, r.status(), r.toJson());
      results.add(r);
    }
    // Round 1 is what the model proposes from round 0's results, recomputed here outside Beam.
    List<Trial> expected = proposer.propose(1, results.subList(0, 3));
    for (int j = 0; j < 3; j++) {
      assertEquals(expected.get(j).params(), new TreeMap<>(results.get(3 + j).params()));
    }
    assertEquals(proposer.propose(0, List.of()).get(0).params(), new TreeMap<>(results.get(0).params()));
  }

  private static Trial trial(int index, double learningRate) {
    return new Trial(Trial.idOf(index), index,
        new TreeMap<>(Map.of("model", "linear", "learning_rate", learningRate, "optimizer", "sgd")), 900L + index);
  }
}
