package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ranking and the Pareto order under a study's metrics and constraints. */
class TrialRankingObjectivesTest {
  private static StudyObjectives objectives(String head) {
    return StudySpecParser.parse(head + "\nparameters: [{name: hidden_units, type: DISCRETE, values: [8]}]\n", "s")
        .objectives();
  }

  private static TrialResult trial(String id, double loss, double params) {
    return new TrialResult(id, TrialStatus.COMPLETED, 10, 10L, Map.of("eval_loss", loss, "model_params", params),
        List.of(), Map.of(), 0, null, null, 0);
  }

  @Test
  void anInfeasibleTrialNeverWinsHoweverGoodItsMetric() {
    TrialRanking ranking = TrialRanking.of(objectives(
        "metric: {name: eval_loss}\nconstraints: [{metric: model_params, max: 100}]"));
    TrialResult big = trial("trial-0000", 0.1, 500);
    TrialResult small = trial("trial-0001", 0.3, 50);
    assertFalse(ranking.isEligible(big));
    assertTrue(ranking.isBetter(small, big));
    assertEquals(List.of("model_params <= 100.0 (was 500.0)"), ranking.objectives().violations(big));
  }

  @Test
  void selectionTakesTheSelectMetricThenTheOtherObjectivesSoTheWinnerIsOnTheFront() {
    TrialRanking ranking = TrialRanking.of(objectives(
        "metrics: [{metric: eval_loss}, {metric: model_params}]\nselect: {metric: model_params}"));
    TrialResult a = trial("trial-0000", 0.5, 50);
    TrialResult b = trial("trial-0001", 0.2, 50);  // same size, better loss: dominates a
    TrialResult c = trial("trial-0002", 0.1, 900);
    assertEquals(List.of(b, a, c), List.of(c, a, b).stream().sorted(ranking).toList());
  }

  @Test
  void paretoOrderPutsTheFrontFirstFeasibleBeforeInfeasible() {
    StudyObjectives mo = objectives(
        "metrics: [{metric: eval_loss}, {metric: model_params}]\nconstraints: [{metric: model_params, max: 1000}]");
    TrialResult f1 = trial("trial-0000", 0.1, 900);
    TrialResult f2 = trial("trial-0001", 0.4, 10);
    TrialResult dominated = trial("trial-0002", 0.5, 950);
    TrialResult infeasible = trial("trial-0003", 0.05, 5000);
    ParetoOrder order = new ParetoOrder(mo);
    assertEquals(List.of(f1, f2, dominated, infeasible), order.sort(List.of(infeasible, dominated, f2, f1)));
    assertEquals(List.of(f1, f2), order.front(List.of(infeasible, dominated, f2, f1)));
  }
}
