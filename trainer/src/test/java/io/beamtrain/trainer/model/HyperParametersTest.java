package io.beamtrain.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.model.optimizers.OptimizerKind;
import io.beamtrain.trainer.model.optimizers.schedules.LearningRateDecay;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HyperParametersTest {

  @Test
  void defaultsAreA2x64ReluDnnTrainedByAdam() {
    HyperParameters p = HyperParameters.defaults();
    assertEquals(ModelKind.DNN, p.model());
    assertEquals(List.of(64, 64), p.hiddenLayers());
    assertEquals(Activation.RELU, p.activation());
    assertEquals(OptimizerKind.ADAM, p.optimizer());
    assertEquals(0.01, p.learningRate());
    assertEquals(64, p.batchSize());
    assertEquals(0.0, p.dropout());
    assertEquals(LearningRateDecay.NONE, p.learningRateDecay());
    assertEquals(RegressionLoss.MSE, p.regressionLoss());
    assertNull(p.loss());
  }

  @Test
  void acceptsStudySpecValuesAsNumbersStringsAndLists() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("model", "DNN");
    raw.put("hidden_layers", List.of(32, 16.0, "8"));
    raw.put("activation", "tanh");
    raw.put("learning_rate", "0.003");
    raw.put("batch_size", 128.0);
    raw.put("optimizer", "momentum");
    raw.put("learning_rate_decay", "exponential");
    raw.put("decay_steps", 100);
    raw.put("decay_rate", 0.5);
    HyperParameters p = HyperParameters.parse(raw);
    assertEquals(List.of(32, 16, 8), p.hiddenLayers());
    assertEquals(Activation.TANH, p.activation());
    assertEquals(0.003, p.learningRate());
    assertEquals(128, p.batchSize());
    assertEquals(0.9, p.effectiveMomentum());
    assertEquals(0.003 * 0.5, p.schedule(1000).rateAt(100), 1e-15);
    assertEquals(List.of(64, 32), HyperParameters.parse(Map.of("hidden_layers", "64, 32")).hiddenLayers());
    assertEquals(
        List.of(16, 16, 16),
        HyperParameters.parse(Map.of("hidden_units", 16, "num_layers", 3)).hiddenLayers());
    assertEquals(List.of(), HyperParameters.parse(Map.of("model", "linear", "hidden_units", 16)).hiddenLayers());
  }

  @Test
  void resolvedMapRoundTrips() {
    HyperParameters p =
        HyperParameters.parse(
            Map.of("hidden_layers", "32,8", "optimizer", "rmsprop", "learning_rate_decay", "cosine",
                "loss", "huber", "huber_delta", 2));
    assertEquals(p.toMap(), HyperParameters.parse(p.toMap()).toMap());
    assertEquals(p.schedule(500), HyperParameters.parse(p.toMap()).schedule(500));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "learning_rate|-0.1|hyperparameter 'learning_rate' out of range: must be > 0 and finite, was -0.1",
        "learning_rate|0|hyperparameter 'learning_rate' out of range: must be > 0 and finite, was 0",
        "learning_rate|fast|hyperparameter 'learning_rate': expected a number, was 'fast'",
        "hidden_units|0|hyperparameter 'hidden_units' out of range: must be in [1, 65536], was 0",
        "num_layers|0|hyperparameter 'num_layers' out of range: must be in [1, 64] (use model=linear for no hidden layer), was 0",
        "hidden_layers|64,0|hyperparameter 'hidden_layers': layer width 0 out of range: must be in [1, 65536] (value 64,0)",
        "hidden_layers|64,x|hyperparameter 'hidden_layers': expected a number, was 'x'",
        "dropout|1|hyperparameter 'dropout' out of range: must be in [0, 1), was 1",
        "dropout|-0.5|hyperparameter 'dropout' out of range: must be in [0, 1), was -0.5",
        "l2|-1|hyperparameter 'l2' out of range: must be >= 0 and finite, was -1",
        "batch_size|0|hyperparameter 'batch_size' out of range: must be in [1, 65536], was 0",
        "batch_size|32.5|hyperparameter 'batch_size': expected an integer, was '32.5'",
        "momentum|1|hyperparameter 'momentum' out of range: must be in [0, 1), was 1",
        "decay_rate|0|hyperparameter 'decay_rate' out of range: must be in (0, 1], was 0",
        "decay_steps|0|hyperparameter 'decay_steps' out of range: must be >= 1, was 0",
        "activation|relux|hyperparameter 'activation': unknown value 'relux'; expected one of relu, relu6, leaky_relu, elu, selu, tanh, sigmoid",
        "optimizer|lbfgs|hyperparameter 'optimizer': unknown value 'lbfgs'; expected one of sgd, momentum, adam, adagrad, rmsprop",
        "model|forest|hyperparameter 'model': unknown value 'forest'; expected one of linear, dnn",
        "loss|mae|hyperparameter 'loss': unknown value 'mae'; expected one of mse, huber",
        "huber_delta|0|hyperparameter 'huber_delta' out of range: must be > 0 and finite, was 0",
      })
  void rejectsOutOfRangeValuesNamingParameterAndValue(String name, String value, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HyperParameters.parse(Map.of(name, value)));
    assertEquals(message, e.getMessage());
  }

  @Test
  void perLayerWidthsReplaceHiddenUnitsForTheirLayer() {
    assertEquals(List.of(64, 16, 8),
        HyperParameters.parse(Map.of("num_layers", 3, "units_2", 16, "units_3", 8)).hiddenLayers());
    assertEquals(List.of(32, 32),
        HyperParameters.parse(Map.of("num_layers", 2, "hidden_units", 32)).hiddenLayers(), "no units_k: as before");
    assertEquals(List.of(128, 32),
        HyperParameters.parse(Map.of("num_layers", 2, "hidden_units", 32, "units_1", 128)).hiddenLayers());
    assertTrue(HyperParameters.isKnown("units_64"));
    assertTrue(!HyperParameters.isKnown("units_65") && !HyperParameters.isKnown("units_0") && !HyperParameters.isKnown("units_x"));
    IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
        () -> HyperParameters.parse(Map.of("num_layers", 2, "units_3", 8)));
    assertTrue(beyond.getMessage().startsWith("hyperparameter 'units_3': layer 3 does not exist with num_layers=2"),
        beyond.getMessage());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> HyperParameters.parse(Map.of("num_layers", 2, "units_2", 0)));
    assertTrue(zero.getMessage().startsWith("hyperparameter 'units_2' out of range"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HyperParameters.parse(Map.of("hidden_layers", "8,8", "units_1", 4)));
  }

  @Test
  void rejectsUnknownNamesAndAmbiguousLayerSpecs() {
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> HyperParameters.parse(Map.of("learning_rat", 0.1, "epochs", 3)));
    assertTrue(
        unknown.getMessage().startsWith("unknown hyperparameters 'epochs', 'learning_rat'; known: "),
        unknown.getMessage());
    IllegalArgumentException both =
        assertThrows(
            IllegalArgumentException.class,
            () -> HyperParameters.parse(Map.of("hidden_layers", "8,8", "num_layers", 2)));
    assertTrue(both.getMessage().contains("'hidden_layers' cannot be combined"), both.getMessage());
  }

  @Test
  void lossMustFitTheTask() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HyperParameters.parse(Map.of("loss", "huber")).requireClassificationLoss());
    assertTrue(e.getMessage().startsWith("hyperparameter 'loss': value 'huber' applies to regression"));
    assertThrows(
        IllegalArgumentException.class,
        () -> HyperParameters.parse(Map.of("loss", "cross_entropy")).regressionLoss());
  }
}
