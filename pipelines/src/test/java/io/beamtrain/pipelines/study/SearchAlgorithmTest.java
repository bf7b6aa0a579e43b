package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SearchAlgorithmTest {
  private static final List<ParameterSpec> PARAMETERS = List.of(
      ParameterSpec.doubleRange("learning_rate", 1e-4, 1e-1, Scale.LOG),
      ParameterSpec.doubleRange("dropout", 0.0, 0.5, Scale.LINEAR),
      ParameterSpec.integerRange("num_layers", 1, 3),
      ParameterSpec.discrete("hidden_units", 32, 64, 128),
      ParameterSpec.categorical("optimizer", "adam", "sgd"));

  private static StudySpec study(Algorithm algorithm, Integer maxTrials, long seed) {
    List<ParameterSpec> parameters = algorithm == Algorithm.GRID
        ? PARAMETERS.stream().map(p -> p.type() == ParameterType.DOUBLE ? p.withGridPoints(2) : p).toList()
        : PARAMETERS;
    return new StudySpec(
        new MetricSpec("eval_loss", Goal.MINIMIZE), algorithm, maxTrials, seed, 100, 10, 50, 0,
        parameters, Map.of("model", "dnn"));
  }

  @ParameterizedTest
  @EnumSource(value = Algorithm.class, names = {"GRID", "RANDOM", "QUASI_RANDOM"})
  void trialsAreAPureFunctionOfSpecAndSeed(Algorithm algorithm) {
    List<Trial> first = study(algorithm, 12, 42).trials();
    List<Trial> again = study(algorithm, 12, 42).trials();
    assertEquals(first, again);
    assertEquals(12, first.size());
    for (int i = 0; i < first.size(); i++) {
      assertEquals(String.format("trial-%04d", i), first.get(i).id());
      assertEquals("dnn", first.get(i).params().get("model"), "fixed parameters are merged in");
    }
    List<Trial> otherSeed = study(algorithm, 12, 43).trials();
    assertNotEquals(
        first.stream().map(Trial::seed).toList(), otherSeed.stream().map(Trial::seed).toList());
    if (algorithm != Algorithm.GRID) {
      assertNotEquals(
          first.stream().map(Trial::params).toList(), otherSeed.stream().map(Trial::params).toList());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Algorithm.class, names = {"GRID", "RANDOM", "QUASI_RANDOM"})
  void valuesStayInRangeAndKeepTheirTypes(Algorithm algorithm) {
    for (Trial trial : study(algorithm, 200, 7).trials()) {
      SortedMap<String, Object> p = trial.params();
      double lr = (Double) p.get("learning_rate");
      assertTrue(lr >= 1e-4 && lr <= 1e-1, "learning_rate " + lr);
      double dropout = (Double) p.get("dropout");
      assertTrue(dropout >= 0 && dropout <= 0.5, "dropout " + dropout);
      int layers = (Integer) p.get("num_layers");
      assertTrue(layers >= 1 && layers <= 3, "num_layers " + layers);
      assertTrue(List.of(32, 64, 128).contains(p.get("hidden_units")), p.toString());
      assertTrue(List.of("adam", "sgd").contains(p.get("optimizer")), p.toString());
      assertTrue(trial.seed() >= 0);
    }
  }

  @Test
  void trialSeedsAreDistinct() {
    Set<Long> seeds = new HashSet<>();
    study(Algorithm.RANDOM, 500, 1).trials().forEach(t -> seeds.add(t.seed()));
    assertEquals(500, seeds.size());
  }

  @Test
  void randomSearchKeepsEarlierTrialsWhenMoreAreAdded() {
    List<Trial> eight = study(Algorithm.RANDOM, 8, 5).trials();
    List<Trial> sixteen = study(Algorithm.RANDOM, 16, 5).trials();
    assertEquals(eight, sixteen.subList(0, 8));
  }

  @Test
  void gridEnumeratesTheProductLastParameterFastest() {
    StudySpec spec = new StudySpec(
        new MetricSpec("eval_loss", Goal.MINIMIZE), Algorithm.GRID, null, 0, 100, 10, 50, 0,
        List.of(
            ParameterSpec.categorical("optimizer", "adam", "sgd"),
            ParameterSpec.doubleRange("learning_rate", 0.001, 0.1, Scale.LOG).withGridPoints(3)),
        Map.of());
    List<Trial> trials = spec.trials();
    assertEquals(6, trials.size());
    assertEquals("adam", trials.get(0).params().get("optimizer"));
    assertEquals(0.001, (Double) trials.get(0).params().get("learning_rate"), 0);
    assertEquals(0.01, (Double) trials.get(1).params().get("learning_rate"), 1e-12);
    assertEquals(0.1, (Double) trials.get(2).params().get("learning_rate"), 0);
    assertEquals("sgd", trials.get(3).params().get("optimizer"));
    assertEquals(6, spec.withMaxTrials(10).trials().size(), "maxTrials above the grid runs the grid");
    assertEquals(4, spec.withMaxTrials(4).trials().size());
  }

  @Test
  void gridOverIntegersTakesEveryValue() {
    StudySpec spec = new StudySpec(
        new MetricSpec("eval_loss", Goal.MINIMIZE), Algorithm.GRID, null, 0, 100, 10, 50, 0,
        List.of(ParameterSpec.integerRange("num_layers", 1, 4)), Map.of());
    assertEquals(
        List.of(1, 2, 3, 4), spec.trials().stream().map(t -> t.params().get("num_layers")).toList());
  }

  @Test
  void quasiRandomStratifiesEachDimension() {
    // The first 2^m points of a (digitally shifted) Sobol sequence put exactly one point in each
    // of the 2^m equal intervals of every coordinate; random search almost never does.
    for (long seed = 0; seed < 5; seed++) {
      StudySpec spec = new StudySpec(
          new MetricSpec("eval_loss", Goal.MINIMIZE), Algorithm.QUASI_RANDOM, 16, seed, 100, 10, 50, 0,
          List.of(
              ParameterSpec.doubleRange("dropout", 0.0, 1.0, Scale.LINEAR),
              ParameterSpec.doubleRange("l2", 0.0, 16.0, Scale.LINEAR)),
          Map.of());
      Set<Integer> bucketsA = new HashSet<>();
      Set<Integer> bucketsB = new HashSet<>();
      for (Trial t : spec.trials()) {
        bucketsA.add((int) Math.floor((Double) t.params().get("dropout") * 16));
        bucketsB.add((int) Math.floor((Double) t.params().get("l2")));
      }
      assertEquals(16, bucketsA.size(), "seed " + seed);
      assertEquals(16, bucketsB.size(), "seed " + seed);
    }
  }

  @Test
  void logScaleSpreadsOverDecades() {
    StudySpec spec = new StudySpec(
        new MetricSpec("eval_loss", Goal.MINIMIZE), Algorithm.QUASI_RANDOM, 8, 3, 100, 10, 50, 0,
        List.of(ParameterSpec.doubleRange("learning_rate", 1e-4, 1.0, Scale.LOG)), Map.of());
    int[] perDecade = new int[4];
    for (Trial t : spec.trials()) {
      perDecade[(int) Math.floor(-Math.log10((Double) t.params().get("learning_rate")) - 1e-12)]++;
    }
    assertEquals(List.of(2, 2, 2, 2), List.of(perDecade[0], perDecade[1], perDecade[2], perDecade[3]));
  }
}
