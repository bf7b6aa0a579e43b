package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Scale;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.TrialSeeds;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Warm start of the model-based samplers, driven directly: an earlier study's trials (on a bowl
 * with its bottom at x = 0.2, y = 0.01) make the first round model-based.
 */
class WarmStartProposerTest {
  private static final MetricSpec LOSS = new MetricSpec("eval_loss", Goal.MINIMIZE);
  private static final List<ParameterSpec> SPACE = List.of(
      ParameterSpec.doubleRange("x", 0.0, 1.0, Scale.LINEAR),
      ParameterSpec.doubleRange("y", 1e-4, 1.0, Scale.LOG));

  static double bowl(Map<String, Object> params) {
    double x = ((Number) params.get("x")).doubleValue();
    double y = Math.log10(((Number) params.get("y")).doubleValue());
    return (x - 0.2) * (x - 0.2) + 0.05 * (y + 2) * (y + 2);
  }

  /** An earlier study: 20 random trials of another seed, named as EarlierStudies names them. */
  static List<TrialResult> earlierStudy() {
    List<TrialResult> out = new ArrayList<>();
    List<SortedMap<String, Object>> points = Algorithm.RANDOM.search().suggest(SPACE, 20, 99);
    for (int i = 0; i < points.size(); i++) {
      out.add(result("warm0/" + Trial.idOf(i), points.get(i)));
    }
    return out;
  }

  private static TrialResult result(String id, Map<String, Object> params) {
    double value = bowl(params);
    return new TrialResult(id, TrialStatus.COMPLETED, 10, 10L, Map.of("eval_loss", value, "eval_rmse", value,
        "eval_mae", ((Number) params.get("y")).doubleValue()), List.of(), params, 0, null, null, 0);
  }

  private static double meanBowl(List<Trial> trials) {
    return trials.stream().mapToDouble(t -> bowl(t.params())).average().orElseThrow();
  }

  @Test
  void tpesFirstRoundIsModelBasedWithWarmStartAndQuasiRandomWithout() {
    TpeProposer blind = new TpeProposer(SPACE, Map.of("model", "dnn"), LOSS, 5, 8, 32);
    TpeProposer warm = blind.withPriors(earlierStudy());
    List<Trial> blindRound = blind.propose(0, List.of());
    List<Trial> warmRound = warm.propose(0, List.of());
    // Without warm start round 0 is the study's Sobol points, exactly.
    List<SortedMap<String, Object>> sobol = Algorithm.QUASI_RANDOM.search().suggest(SPACE, 10, 5);
    for (int j = 0; j < 8; j++) {
      SortedMap<String, Object> searched = new TreeMap<>(blindRound.get(j).params());
      searched.remove("model");
      assertEquals(sobol.get(j), searched);
    }
    assertEquals(0, warm.quasiRandomTrials(), "20 earlier trials stand in for the 10 startup trials");
    assertEquals(8, warmRound.size());
    assertEquals("trial-0000", warmRound.get(0).id());
    assertEquals("dnn", warmRound.get(0).params().get("model"));
    for (int j = 0; j < 8; j++) {
      assertNotEquals(blindRound.get(j).params(), warmRound.get(j).params());
    }
    // Model-based: its proposals sit lower in the bowl than the blind round's.
    double warmMean = meanBowl(warmRound);
    double blindMean = meanBowl(blindRound);
    assertTrue(warmMean < 0.5 * blindMean, "warm round 0 mean " + warmMean + ", blind " + blindMean);
    assertEquals(warmRound, warm.propose(0, List.of()), "deterministic");
  }

  @Test
  void aFewEarlierTrialsReplaceAsManyStartupTrials() {
    TpeProposer warm = new TpeProposer(SPACE, Map.of(), LOSS, 5, 4, 32).withPriors(earlierStudy().subList(0, 3));
    assertEquals(7, warm.quasiRandomTrials());
  }

  @Test
  void nsga2BreedsRoundZeroFromTheEarlierTrials() {
    Nsga2Proposer blind = new Nsga2Proposer(SPACE, Map.of(), Zdt1.objectives(), 5, 8, 32);
    List<Trial> blindRound = blind.propose(0, List.of());
    List<Trial> warmRound = blind.withPriors(earlierStudy()).propose(0, List.of());
    assertEquals(8, warmRound.size());
    assertNotEquals(blindRound, warmRound);
    assertEquals(warmRound, blind.withPriors(earlierStudy()).propose(0, List.of()));
  }

  @Test
  void ashaTpeProposesFromTheEarlierTrialsBeforeItsLogHasEnough() {
    List<Trial> trials = new ArrayList<>();
    List<SortedMap<String, Object>> points = Algorithm.RANDOM.search().suggest(SPACE, 12, 11);
    for (int i = 0; i < points.size(); i++) {
      trials.add(new Trial(Trial.idOf(i), i, points.get(i), TrialSeeds.forTrial(11, i)));
    }
    JobLog.Snapshot empty = new JobLog.Snapshot(List.of(), new HashMap<>(), new HashMap<>());
    assertEquals(trials.get(0), AshaSampler.tpe(trials, SPACE, LOSS, 11).propose(0, empty), "blind: random");
    AshaSampler warm = AshaSampler.tpe(trials, SPACE, LOSS, 11, earlierStudy());
    double proposed = 0;
    double random = 0;
    for (int i : new int[] {0, 1, 3, 4, 6, 7}) {
      Trial t = warm.propose(i, empty);
      assertNotEquals(trials.get(i), t);
      proposed += bowl(t.params());
      random += bowl(trials.get(i).params());
    }
    assertEquals(trials.get(2), warm.propose(2, empty), "every third start stays random");
    assertTrue(proposed < 0.5 * random, "warm " + proposed + " vs random " + random);
  }
}
