package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The step accounting {@link SearchBenchmark} prints, on hand-made histories (no training). */
class SearchBenchmarkAccountingTest {

  /** A trial evaluated every 30 steps with the given eval_rmse values; {@code steps} may exceed the last evaluation. */
  static TrialResult trial(int index, TrialStatus status, long steps, double... rmse) {
    List<Evaluation> history = new ArrayList<>();
    for (int i = 0; i < rmse.length; i++) {
      history.add(new Evaluation(30L * (i + 1), Map.of("eval_rmse", rmse[i])));
    }
    return new TrialResult(String.format("trial-%04d", index), status, steps, null, Map.of(), history,
        Map.of(), 0, null, null, 0);
  }

  static SearchBenchmark.Run run(Algorithm algorithm, int roundSize, List<Bracket> brackets, TrialResult... trials) {
    return new SearchBenchmark.Run(algorithm, Goal.MINIMIZE, "eval_rmse", List.of(trials), roundSize, brackets, 0);
  }

  @Test
  void randomSearchCountsEarlierTrialsWholeAndTheReachingTrialUpToItsEvaluation() {
    SearchBenchmark.Run random = run(Algorithm.RANDOM, 3, List.of(),
        trial(0, TrialStatus.COMPLETED, 90, 1.0, 0.95, 0.93),
        trial(1, TrialStatus.COMPLETED, 90, 0.9, 0.81, 0.80),
        trial(2, TrialStatus.COMPLETED, 90, 0.85, 0.82, 0.815));
    // Within 2% of 0.80 is <= 0.816: trial 1 at step 60, after trial 0's 90 steps.
    assertEquals(150, random.stepsToReach(0.80));
    // Trials 1 (at 60) and 2 (at 90) reach it: trial 0 comes before both with probability 1/3.
    assertEquals(90 / 3.0 + (60 + 90) / 2.0, random.expectedStepsToReach(0.80), 1e-9);
    assertEquals(-1, random.stepsToReach(0.5));
    assertEquals(-1, random.expectedStepsToReach(0.5), 1e-9);
  }

  @Test
  void successiveHalvingSpendsAllOfARungBeforeTheNextAndPromotedTrialsOnlyTheirNewSteps() {
    // Budgets 30 then 90 steps, eta 3: one of three trials promoted.
    List<Bracket> plan = Brackets.successiveHalving(3, 30, 90, 3);
    SearchBenchmark.Run halving = run(Algorithm.SUCCESSIVE_HALVING, 3, plan,
        trial(0, TrialStatus.COMPLETED, 30, 0.95),
        trial(1, TrialStatus.COMPLETED, 90, 0.90, 0.85, 0.80),
        // Diverged at step 25, before any evaluation: its steps count too.
        trial(2, TrialStatus.DIVERGED, 25));
    // Rung 0: 30 + 30 + 25 steps; rung 1: trial 1 reaches 0.816 at step 90, 60 steps into it.
    assertEquals(85 + 60, halving.stepsToReach(0.80));
    assertEquals(85 + 60, halving.expectedStepsToReach(0.80), 1e-9);
    // Reached within rung 0 by trial 1 at step 30 (0.90 <= 0.918): trial 0 first in trial order.
    assertEquals(60, halving.stepsToReach(0.90));
    assertEquals((30 + 25) / 2.0 + 30, halving.expectedStepsToReach(0.90), 1e-9);
  }

  @Test
  void tpeRoundsComeInOrderWhateverTheTrialIds() {
    SearchBenchmark.Run tpe = run(Algorithm.TPE, 2, List.of(),
        trial(0, TrialStatus.COMPLETED, 60, 0.95, 0.94),
        trial(1, TrialStatus.STOPPED, 30, 0.97),
        trial(2, TrialStatus.COMPLETED, 60, 0.90, 0.80));
    assertEquals(60 + 30 + 60, tpe.stepsToReach(0.80));
  }
}
