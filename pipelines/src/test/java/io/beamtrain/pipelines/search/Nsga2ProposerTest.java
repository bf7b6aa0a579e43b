package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.pareto.Hypervolume;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.ParetoOrder;
import io.beamtrain.trainer.TrialResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Nsga2ProposerTest {
  private static final int DIMS = 4;
  private static final int ROUND = 10;
  private static final int TRIALS = 200;

  static List<TrialResult> runNsga2(long seed, int trials) {
    Nsga2Proposer proposer = new Nsga2Proposer(Zdt1.parameters(DIMS), Map.of(), Zdt1.objectives(), seed, ROUND, trials);
    List<TrialResult> results = new ArrayList<>();
    for (int round = 0; round * ROUND < trials; round++) {
      List<TrialResult> earlier = new ArrayList<>(results);
      Collections.reverse(earlier);
      for (Trial t : proposer.propose(round, earlier)) {
        results.add(Zdt1.evaluate(t, DIMS));
      }
    }
    return results;
  }

  static List<TrialResult> runRandom(long seed, int trials) {
    List<TrialResult> results = new ArrayList<>();
    List<ParameterSpec> parameters = Zdt1.parameters(DIMS);
    var points = Algorithm.RANDOM.search().suggest(parameters, trials, seed);
    for (int i = 0; i < points.size(); i++) {
      results.add(Zdt1.evaluate(new Trial(Trial.idOf(i), i, points.get(i), i), DIMS));
    }
    return results;
  }

  static double hypervolume(List<TrialResult> results) {
    StudyObjectives objectives = Zdt1.objectives();
    return Hypervolume.of(new ParetoOrder(objectives).front(results).stream().map(objectives::costs).toList(),
        Zdt1.REFERENCE);
  }

  @Test
  void approachesTheKnownFrontOfZdt1AndBeatsRandomSearch() {
    double truth = Zdt1.trueHypervolume();
    double nsga2 = hypervolume(runNsga2(7, TRIALS));
    double random = hypervolume(runRandom(7, TRIALS));
    System.out.printf("ZDT1 (%d params, %d trials): hypervolume NSGA2 %.4f, random %.4f, true front %.4f%n",
        DIMS, TRIALS, nsga2, random, truth);
    assertTrue(nsga2 <= truth + 1e-9, nsga2 + " > " + truth);
    // Measured 0.62 against random's 0.21 (seed 7); the front is reached from x1.. = 0 only by
    // selection and small moves, which random draws in 4 dimensions almost never make.
    assertTrue(nsga2 > 2 * random, "NSGA2 " + nsga2 + " vs random " + random);
    assertTrue(nsga2 >= 0.65 * truth, "NSGA2 " + nsga2 + " vs true " + truth);
    // Its front lies near the true one: f2 within 0.25 of 1 - sqrt(f1) on average.
    List<TrialResult> front = new ParetoOrder(Zdt1.objectives()).front(runNsga2(7, TRIALS));
    double gap = front.stream()
        .mapToDouble(r -> r.metric("eval_mae") - (1 - Math.sqrt(r.metric("eval_rmse")))).average().orElseThrow();
    assertTrue(gap >= 0 && gap < 0.25, "mean gap to the true front " + gap);
  }

  @Test
  void aRoundDependsOnTheEarlierResultsNotTheirOrder() {
    Nsga2Proposer proposer = new Nsga2Proposer(Zdt1.parameters(DIMS), Map.of("model", "dnn"), Zdt1.objectives(), 3, ROUND, 40);
    List<TrialResult> first = proposer.propose(0, List.of()).stream().map(t -> Zdt1.evaluate(t, DIMS)).toList();
    List<TrialResult> reversed = new ArrayList<>(first);
    Collections.reverse(reversed);
    List<Trial> a = proposer.propose(1, first);
    assertEquals(a, proposer.propose(1, reversed));
    assertEquals(ROUND, a.size());
    assertEquals("trial-0010", a.get(0).id());
    assertEquals("dnn", a.get(0).params().get("model"));
  }
}
