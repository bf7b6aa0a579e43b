package io.beamtrain.pipelines.importance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** PED-ANOVA against functions whose importances are known. */
class PedAnovaTest {

  /** f = 10a + b + 0c on uniform [0, 1]^3: a dominates, b matters a little, c not at all. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void linearFunctionRanksItsCoefficients(long seed) {
    Random random = new Random(seed);
    List<Observation> trials = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      double a = random.nextDouble();
      double b = random.nextDouble();
      double c = random.nextDouble();
      trials.add(new Observation(Map.of("a", a, "b", b, "c", c), 10 * a + b));
    }
    Map<String, Double> importance = PedAnova.importances(trials, Set.of());
    System.out.printf("seed %d: %s%n", seed, importance);

    assertEquals(List.of("a", "b", "c"), List.copyOf(importance.keySet()), importance.toString());
    assertEquals(1.0, importance.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
    assertTrue(importance.get("a") > 0.8, importance.toString());
    assertTrue(importance.get("c") < 0.05, importance.toString());
  }

  @Test
  void categoricalAndLogScaledParameters() {
    Random random = new Random(7);
    List<Observation> trials = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      double lr = Math.pow(10, -5 + 4 * random.nextDouble());
      String optimizer = random.nextBoolean() ? "adam" : "sgd";
      String activation = random.nextBoolean() ? "relu" : "tanh";
      // Best near lr = 1e-3 (on a log scale), adam better than sgd, activation irrelevant.
      double score = -Math.abs(Math.log10(lr) + 3) + (optimizer.equals("adam") ? 0.3 : 0);
      trials.add(new Observation(Map.of("learning_rate", lr, "optimizer", optimizer, "activation", activation), score));
    }
    Map<String, Double> importance = PedAnova.importances(trials, Set.of("learning_rate"));
    System.out.println("categorical + log: " + importance);

    assertEquals(List.of("learning_rate", "optimizer", "activation"), List.copyOf(importance.keySet()));
    assertTrue(importance.get("activation") < 0.05, importance.toString());
  }

  @Test
  void constantParametersAndUnscoredTrialsAreLeftOut() {
    List<Observation> trials = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      trials.add(new Observation(Map.of("x", (double) i, "fixed", 64), i));
    }
    trials.add(new Observation(Map.of("x", 100.0, "fixed", 64), Double.NaN));
    Map<String, Double> importance = PedAnova.importances(trials, Set.of());
    assertEquals(Map.of("x", 1.0), importance);
  }

  @Test
  void tooFewTrialsGiveNothing() {
    List<Observation> trials = new ArrayList<>();
    for (int i = 0; i < PedAnova.MIN_TRIALS - 1; i++) {
      trials.add(new Observation(Map.of("x", (double) i), i));
    }
    assertEquals(Map.of(), PedAnova.importances(trials, Set.of()));
  }

  @Test
  void equalDistributionsDivergeByNothing() {
    double[] p = {0.2, 0.3, 0.5};
    assertEquals(0.0, PedAnova.pearsonDivergence(p, p), 1e-12);
    assertEquals(0.5 * 1 + 0.5 * 1, PedAnova.pearsonDivergence(new double[] {1, 0}, new double[] {0.5, 0.5}), 1e-12);
  }

  /**
   * A small sweep: 10 trials where only the integer {@code layers} matters and a learning rate that
   * does not; every learning rate is distinct, which must not make it look important.
   */
  @Test
  void fewFractionalValuesAreContinuousNotOneCategoryEach() {
    Random random = new Random(11);
    List<Observation> trials = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int layers = 1 + i % 3;
      double lr = Math.pow(10, -4 + 3 * random.nextDouble());
      trials.add(new Observation(Map.of("layers", layers, "learning_rate", lr), layers == 3 ? 1 : 0));
    }
    Map<String, Double> importance = PedAnova.importances(trials, Set.of("learning_rate"));
    System.out.println("10 trials, layers decides: " + importance);
    assertEquals("layers", importance.keySet().iterator().next(), importance.toString());
    assertTrue(importance.get("layers") > 0.6, importance.toString());
  }
}
