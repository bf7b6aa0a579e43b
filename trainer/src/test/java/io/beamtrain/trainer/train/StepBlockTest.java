package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.BatchSource;
import io.beamtrain.trainer.data.DenseData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.InMemoryBatchSource;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * A {@link io.beamtrain.trainer.model.StepBlock} of k steps per run trains bit for bit as k runs
 * of one step: same variables and optimizer slots, same losses, whatever the head, optimizer,
 * schedule, dropout and L2.
 */
class StepBlockTest {
  @TempDir static Path dir;
  static ExampleDataset penguins;
  static DenseData penguinsTrain;
  static ExampleDataset regression;
  static DenseData regressionTrain;

  @BeforeAll
  static void writeData() {
    DataDirFixture.penguins().write(dir.resolve("penguins"));
    penguins = ExampleDataset.open(dir.resolve("penguins").toString(), StorageConfig.defaults());
    penguinsTrain = penguins.load(Split.TRAIN);
    DataDirFixture.syntheticRegression(2000, 4, 7).write(dir.resolve("regression"));
    regression = ExampleDataset.open(dir.resolve("regression").toString(), StorageConfig.defaults());
    regressionTrain = regression.load(Split.TRAIN);
  }

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("penguins", Map.of()),
        Arguments.of("penguins", Map.of("hidden_layers", "16,8", "dropout", 0.3, "l2", 0.01)),
        Arguments.of("penguins", Map.of("optimizer", "rmsprop", "momentum", 0.5, "learning_rate_decay", "cosine")),
        Arguments.of("regression", Map.of("model", "linear")),
        Arguments.of("regression", Map.of("optimizer", "momentum", "l2", 0.001, "loss", "huber")),
        Arguments.of("regression", Map.of("optimizer", "adagrad", "learning_rate_decay", "cosine", "dropout", 0.2)),
        Arguments.of("regression", Map.of("optimizer", "sgd", "learning_rate", 0.05)));
  }

  /** The values of every saved variable (weights and optimizer slots), by name. */
  private static Map<String, float[]> variables(TrainingSession session) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (var v : session.saver().variables()) {
      try (Result r = session.session().runner().fetch(v.name()).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] values = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(values);
        out.put(v.name(), values);
      }
    }
    return out;
  }

  /** Trains {@code steps} steps, {@code perRun} per run (plus single steps for a remainder). */
  private static Map<String, float[]> train(
      String data, Map<String, ?> params, int perRun, int steps, List<Float> losses) {
    HyperParameters hp = HyperParameters.parse(params);
    ExampleDataset dataset = data.equals("penguins") ? penguins : regression;
    DenseData train = data.equals("penguins") ? penguinsTrain : regressionTrain;
    ModelSpec spec = ModelSpec.of(hp, dataset.spec());
    try (TrainingSession session =
            TrainingSession.open(spec, 3, hp.schedule(steps), TrainingSession.sessionConfig(1, 1), perRun);
        BatchSource batches = new InMemoryBatchSource(train, hp.batchSize(), 3)) {
      session.initialize();
      Batch batch = batches.newBatch();
      long step = 0;
      while (step < steps) {
        if (steps - step >= perRun && perRun > 1) {
          for (int j = 0; j < perRun; j++) {
            batches.fill(step + j, batch);
            session.stage(j, batch);
          }
          losses.add(session.runBlock(step, true));
          step += perRun;
        } else {
          batches.fill(step, batch);
          float loss = session.step(step, batch, true);
          step++;
          if (step % Math.max(perRun, 1) == 0 || perRun == 1) {
            losses.add(loss);
          }
        }
      }
      return variables(session);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void blockOfStepsTrainsBitForBitAsOneStepPerRun(String data, Map<String, ?> params) {
    List<Float> single = new ArrayList<>();
    List<Float> blocked = new ArrayList<>();
    Map<String, float[]> a = train(data, params, 1, 24, single);
    Map<String, float[]> b = train(data, params, 4, 24, blocked);
    assertEquals(a.keySet(), b.keySet());
    a.forEach((name, values) -> assertArrayEquals(values, b.get(name), 0f, name));
    List<Float> everyFourth = new ArrayList<>();
    for (int i = 3; i < single.size(); i += 4) {
      everyFourth.add(single.get(i));
    }
    assertEquals(everyFourth, blocked, "loss of the last step of each block");
  }

  @Test
  void oneStepPerRunBuildsNoBlock() {
    HyperParameters hp = HyperParameters.defaults();
    try (TrainingSession session =
        TrainingSession.open(
            ModelSpec.of(hp, penguins.spec()), 1, hp.schedule(10), TrainingSession.sessionConfig(1, 1), 1)) {
      assertEquals(1, session.stepsPerRun());
      assertNull(session.recordedGraph());
    }
  }

  @Test
  void theRecordedGraphIsTheOneStepGraph() {
    HyperParameters hp = HyperParameters.defaults();
    ModelSpec spec = ModelSpec.of(hp, penguins.spec());
    try (TrainingSession one =
            TrainingSession.open(spec, 1, hp.schedule(10), TrainingSession.sessionConfig(1, 1));
        TrainingSession eight =
            TrainingSession.open(spec, 1, hp.schedule(10), TrainingSession.sessionConfig(1, 1), 8)) {
      assertEquals(8, eight.stepsPerRun());
      assertEquals(one.graph().toGraphDef(), eight.recordedGraph());
      assertTrue(eight.graph().toGraphDef().getNodeCount() > 8 * one.graph().toGraphDef().getNodeCount() / 2);
    }
  }
}
