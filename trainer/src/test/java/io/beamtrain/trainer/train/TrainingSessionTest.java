package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.BatchSource;
import io.beamtrain.trainer.data.DenseData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.InMemoryBatchSource;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

class TrainingSessionTest {
  @TempDir static Path dir;
  static ExampleDataset penguins;
  static DenseData penguinsTrain;
  static DenseData penguinsEval;
  static ExampleDataset regression;
  static DenseData regressionTrain;
  static DenseData regressionEval;

  @BeforeAll
  static void writeData() {
    DataDirFixture.penguins().write(dir.resolve("penguins"));
    penguins = ExampleDataset.open(dir.resolve("penguins").toString(), StorageConfig.defaults());
    penguinsTrain = penguins.load(Split.TRAIN);
    penguinsEval = penguins.load(Split.EVAL);
    DataDirFixture.syntheticRegression(2000, 4, 7).write(dir.resolve("regression"));
    regression = ExampleDataset.open(dir.resolve("regression").toString(), StorageConfig.defaults());
    regressionTrain = regression.load(Split.TRAIN);
    regressionEval = regression.load(Split.EVAL);
  }

  private static Map<String, Double> train(
      ExampleDataset dataset, DenseData train, DenseData eval, Map<String, ?> params, long seed,
      int steps) {
    HyperParameters hp = HyperParameters.parse(params);
    ModelSpec spec = ModelSpec.of(hp, dataset.spec());
    try (TrainingSession session =
            TrainingSession.open(spec, seed, hp.schedule(steps), TrainingSession.sessionConfig(1, 1));
        BatchSource batches = new InMemoryBatchSource(train, hp.batchSize(), seed);
        Evaluator evaluator = Evaluator.inMemory(eval, spec.head())) {
      Batch batch = batches.newBatch();
      for (long step = 0; step < steps; step++) {
        batches.fill(step, batch);
        session.step(step, batch, false);
      }
      return evaluator.evaluate(session.session(), session.model());
    }
  }

  @Test
  void defaultDnnLearnsPenguinsToHighAccuracyInAFewHundredSteps() {
    Map<String, Double> metrics = train(penguins, penguinsTrain, penguinsEval, Map.of(), 1, 300);
    assertTrue(metrics.get(MetricSpec.EVAL_ACCURACY) >= 0.95, "metrics " + metrics);
    assertTrue(metrics.get(MetricSpec.EVAL_LOSS) < 0.3, "metrics " + metrics);
  }

  @Test
  void sameSeedGivesBitIdenticalTrainingAndAnotherSeedDoesNot() {
    Map<String, Object> params = Map.of("dropout", 0.3, "hidden_layers", "16,8");
    Map<String, Double> a = train(penguins, penguinsTrain, penguinsEval, params, 5, 60);
    Map<String, Double> b = train(penguins, penguinsTrain, penguinsEval, params, 5, 60);
    Map<String, Double> c = train(penguins, penguinsTrain, penguinsEval, params, 6, 60);
    assertEquals(a, b);
    assertFalse(a.equals(c), "seed 6 trained exactly like seed 5: " + a);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "momentum", "adam", "adagrad", "rmsprop"})
  void everyOptimizerReducesTheRegressionLoss(String optimizer) {
    Map<String, Object> params =
        Map.of("optimizer", optimizer, "learning_rate", optimizer.equals("sgd") ? 0.05 : 0.01);
    Map<String, Double> before = train(regression, regressionTrain, regressionEval, params, 3, 0);
    Map<String, Double> after = train(regression, regressionTrain, regressionEval, params, 3, 150);
    assertTrue(
        after.get(MetricSpec.EVAL_RMSE) < 0.5 * before.get(MetricSpec.EVAL_RMSE),
        optimizer + ": before " + before + ", after " + after);
  }

  @ParameterizedTest
  @ValueSource(strings = {"relu", "relu6", "leaky_relu", "elu", "selu", "tanh", "sigmoid"})
  void everyActivationTrains(String activation) {
    Map<String, Object> params = Map.of("activation", activation, "num_layers", 1);
    Map<String, Double> metrics = train(penguins, penguinsTrain, penguinsEval, params, 2, 150);
    assertTrue(metrics.get(MetricSpec.EVAL_ACCURACY) > 0.9, activation + ": " + metrics);
  }

  @Test
  void huberLossAndLinearModelAndDecayTrain() {
    Map<String, Object> params =
        Map.of("model", "linear", "loss", "huber", "learning_rate_decay", "cosine",
            "learning_rate", 0.05, "l2", 0.001);
    Map<String, Double> metrics = train(regression, regressionTrain, regressionEval, params, 4, 300);
    // The target is linear in the features plus noise 0.1, apart from the ~2% missing feature
    // values (imputed as the mean): a linear model fits most rows closely, far better than the
    // mean, whose MAE is about 0.8 standard deviations.
    double targetStddev = regression.spec().label().stddev();
    assertTrue(
        metrics.get(MetricSpec.EVAL_MAE) < 0.15 * targetStddev,
        "metrics " + metrics + ", target stddev " + targetStddev);
  }

  @Test
  void streamedEvaluationEqualsInMemoryEvaluation() {
    HyperParameters hp = HyperParameters.defaults();
    ModelSpec spec = ModelSpec.of(hp, penguins.spec());
    try (TrainingSession session =
            TrainingSession.open(spec, 9, hp.schedule(50), TrainingSession.sessionConfig(1, 1));
        BatchSource batches = new InMemoryBatchSource(penguinsTrain, hp.batchSize(), 9);
        Evaluator inMemory = Evaluator.inMemory(penguinsEval, spec.head());
        Evaluator streamed = Evaluator.streaming(penguins, spec.head())) {
      Batch batch = batches.newBatch();
      for (long step = 0; step < 50; step++) {
        batches.fill(step, batch);
        session.step(step, batch, false);
      }
      Map<String, Double> a = inMemory.evaluate(session.session(), session.model());
      Map<String, Double> b = streamed.evaluate(session.session(), session.model());
      assertEquals(a.keySet(), b.keySet());
      a.forEach((name, value) -> assertEquals(value, b.get(name), 1e-12, name));
    }
  }

  @Test
  void variablesAndSlotsHavePythonNames() {
    HyperParameters hp = HyperParameters.parse(Map.of("hidden_layers", "8,4"));
    ModelSpec spec = ModelSpec.of(hp, penguins.spec());
    try (TrainingSession session =
        TrainingSession.open(spec, 1, hp.schedule(10), TrainingSession.sessionConfig(1, 1))) {
      List<String> names = new ArrayList<>();
      session.saver().variables().forEach(v -> names.add(v.name()));
      assertEquals(
          List.of(
              "beta1_power", "beta2_power",
              "dense_0/bias", "dense_0/bias/Adam", "dense_0/bias/Adam_1",
              "dense_0/kernel", "dense_0/kernel/Adam", "dense_0/kernel/Adam_1",
              "dense_1/bias", "dense_1/bias/Adam", "dense_1/bias/Adam_1",
              "dense_1/kernel", "dense_1/kernel/Adam", "dense_1/kernel/Adam_1",
              "logits/bias", "logits/bias/Adam", "logits/bias/Adam_1",
              "logits/kernel", "logits/kernel/Adam", "logits/kernel/Adam_1"),
          names);
      session.initialize();
      try (Result r = session.session().runner().fetch("dense_0/kernel").run()) {
        TFloat32 kernel = (TFloat32) r.get(0);
        assertArrayEquals(new long[] {spec.inputWidth(), 8}, kernel.shape().asArray());
        double limit = Math.sqrt(6.0 / (spec.inputWidth() + 8));
        float first = kernel.getFloat(0, 0);
        assertTrue(Math.abs(first) <= limit && first != 0, "glorot value " + first);
      }
      assertNotNull(session.graph().operation("dense_0/kernel/Assign"));
    }
  }
}
