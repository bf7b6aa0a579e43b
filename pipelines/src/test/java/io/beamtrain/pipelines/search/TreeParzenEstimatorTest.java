package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Scale;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class TreeParzenEstimatorTest {
  /** One parameter of every type and scale. */
  static final List<ParameterSpec> SPACE = List.of(
      ParameterSpec.doubleRange("learning_rate", 1e-4, 1.0, Scale.LOG),
      ParameterSpec.integerRange("num_layers", 1, 8),
      ParameterSpec.discrete("hidden_units", 16, 32, 64, 128, 256),
      ParameterSpec.categorical("optimizer", "adam", "sgd", "rmsprop"));

  /** A quadratic bowl with its minimum 0 at lr 0.01, 3 layers, 64 units, adam. */
  static double bowl(Map<String, Object> p) {
    double lr = Math.log10(((Number) p.get("learning_rate")).doubleValue()) + 2;
    double layers = (((Number) p.get("num_layers")).doubleValue() - 3) / 3;
    double units = (Math.log(((Number) p.get("hidden_units")).doubleValue()) / Math.log(2) - 6) / 2;
    double optimizer = p.get("optimizer").equals("adam") ? 0 : 1;
    return lr * lr + layers * layers + units * units + optimizer;
  }

  private static List<Observation> randomObservations(int n, long seed, Goal goal) {
    List<Observation> observations = new ArrayList<>();
    List<SortedMap<String, Object>> points = Algorithm.RANDOM.search().suggest(SPACE, n, seed);
    for (int i = 0; i < n; i++) {
      double value = goal == Goal.MINIMIZE ? bowl(points.get(i)) : -bowl(points.get(i));
      observations.add(new Observation(String.format("trial-%04d", i), points.get(i), value));
    }
    return observations;
  }

  @ParameterizedTest
  @EnumSource(Goal.class)
  void proposalsPreferTheGoodRegionOfAQuadraticBowlOverRandomProposals(Goal goal) {
    TreeParzenEstimator model = TreeParzenEstimator.fit(SPACE, randomObservations(40, 7, goal), goal);
    double tpe = 0;
    double random = 0;
    List<SortedMap<String, Object>> randomPoints = Algorithm.RANDOM.search().suggest(SPACE, 200, 99);
    for (int j = 0; j < 200; j++) {
      SortedMap<String, Object> proposal = model.propose(1000 + j);
      assertTrue(proposal.get("num_layers") instanceof Integer, proposal.toString());
      assertTrue(SPACE.get(2).values().contains(proposal.get("hidden_units")), proposal.toString());
      tpe += bowl(proposal);
      random += bowl(randomPoints.get(j));
    }
    assertTrue(tpe < 0.5 * random, "mean bowl value, TPE " + tpe / 200 + " vs random " + random / 200);
  }

  @Test
  void sameObservationsAndSeedGiveTheSameProposalWhateverTheirOrder() {
    List<Observation> observations = randomObservations(20, 3, Goal.MINIMIZE);
    List<Observation> reversed = new ArrayList<>(observations);
    java.util.Collections.reverse(reversed);
    assertEquals(
        TreeParzenEstimator.fit(SPACE, observations, Goal.MINIMIZE).propose(5),
        TreeParzenEstimator.fit(SPACE, reversed, Goal.MINIMIZE).propose(5));
  }

  @Test
  void failedTrialsCountAsBad() {
    List<Observation> observations = new ArrayList<>(randomObservations(12, 4, Goal.MINIMIZE));
    Map<String, Object> failing = Map.of(
        "learning_rate", 0.9, "num_layers", 8, "hidden_units", 256, "optimizer", "sgd");
    TreeParzenEstimator without = TreeParzenEstimator.fit(SPACE, observations, Goal.MINIMIZE);
    for (int i = 0; i < 6; i++) {
      observations.add(new Observation("trial-01" + i, failing, Double.NaN));
    }
    TreeParzenEstimator with = TreeParzenEstimator.fit(SPACE, observations, Goal.MINIMIZE);
    assertTrue(with.score(failing) < without.score(failing));
  }
}
