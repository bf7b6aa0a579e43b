package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialResult;
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
    return new SearchBenchmark.Run(algorithm, Goal.MINIMIZE, "eval_rmse", List.of(trials), roundSize, brackets, List.of(), 0);
  }

  @Test
  void randomSearchCountsEarlierTrialsWholeAndTheReachingTrialUpToItsEvaluation() {
    SearchBenchmark.Run random = run(Algorithm.RANDOM, 3, List.of(),
        trial(0, TrialStatus.COMPLETED, 90, 1.0, 0.95, 0.93),
        trial(1, TrialStatus.COMPLETED, 90, 0.9, 0.81, 0.80),
        trial(2, TrialStatus.COMPLETED, 90, 0.85, 0.805, 0.815));
    // Within 2% of 0.80 is <= 0.816: trial 1 at step 60, after trial 0's 90 steps.
    assertEquals(150, random.stepsToReach(0.80, 0.02));
    // Trials 1 and 2 (both at 60) reach it: trial 0 comes before both with probability 1/3.
    assertEquals(90 / 3.0 + 60, random.expectedStepsToReach(0.80, 0.02), 1e-9);
    // Within 1% is <= 0.808: trial 1 only at step 90, trial 2 at step 60.
    assertEquals(90 + 90, random.stepsToReach(0.80, 0.01));
    assertEquals(90 / 3.0 + (90 + 60) / 2.0, random.expectedStepsToReach(0.80, 0.01), 1e-9);
    // The best itself (0%): only trial 1's 0.80 at step 90; trial 2's 90 steps come first half the time.
    assertEquals(90 + 90, random.stepsToReach(0.80, 0));
    assertEquals((90 + 90) / 2.0 + 90, random.expectedStepsToReach(0.80, 0), 1e-9);
    assertEquals(-1, random.stepsToReach(0.5, 0.02));
    assertEquals(-1, random.expectedStepsToReach(0.5, 0.02), 1e-9);
    // No brackets: the bracket order changes nothing.
    assertEquals(random.expectedStepsToReach(0.80, 0.01), random.expectedStepsToReachAnyBracketOrder(0.80, 0.01), 1e-9);
  }

  @Test
  void hyperbandBracketsCountInLiOrderOrInExpectationOverAllOrders() {
    // Two brackets, budgets 30 and 90: bracket 0 starts trials 0-2 at 30 and promotes one to 90,
    // bracket 1 trains trials 3 and 4 to 90.
    List<Bracket> plan = Brackets.hyperband(30, 90, 3, 2);
    SearchBenchmark.Run hyperband = run(Algorithm.HYPERBAND, 5, plan,
        trial(0, TrialStatus.COMPLETED, 30, 0.95),
        trial(1, TrialStatus.COMPLETED, 90, 0.90, 0.85, 0.84),
        trial(2, TrialStatus.COMPLETED, 30, 0.97),
        trial(3, TrialStatus.COMPLETED, 90, 0.92, 0.85, 0.80),
        trial(4, TrialStatus.COMPLETED, 90, 0.99, 0.98, 0.97));
    // Only trial 3 reaches 0.80, at step 90; bracket 0 spends 3 x 30 + 60 steps before it.
    assertEquals(150 + 90, hyperband.stepsToReach(0.80, 0));
    assertEquals(150 + 90 / 2.0 + 90, hyperband.expectedStepsToReach(0.80, 0), 1e-9);
    // Bracket 1 first: 90 / 2 + 90; bracket 0 first: 150 + 90 / 2 + 90; half the orders each.
    assertEquals((135 + 285) / 2.0, hyperband.expectedStepsToReachAnyBracketOrder(0.80, 0), 1e-9);
    assertEquals(-1, hyperband.expectedStepsToReachAnyBracketOrder(0.5, 0), 1e-9);
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
    assertEquals(85 + 60, halving.stepsToReach(0.80, 0.02));
    assertEquals(85 + 60, halving.expectedStepsToReach(0.80, 0.02), 1e-9);
    // Reached within rung 0 by trial 1 at step 30 (0.90 <= 0.918): trial 0 first in trial order.
    assertEquals(60, halving.stepsToReach(0.90, 0.02));
    assertEquals((30 + 25) / 2.0 + 30, halving.expectedStepsToReach(0.90, 0.02), 1e-9);
  }

  @Test
  void tpeRoundsComeInOrderWhateverTheTrialIds() {
    SearchBenchmark.Run tpe = run(Algorithm.TPE, 2, List.of(),
        trial(0, TrialStatus.COMPLETED, 60, 0.95, 0.94),
        trial(1, TrialStatus.STOPPED, 30, 0.97),
        trial(2, TrialStatus.COMPLETED, 60, 0.90, 0.80));
    assertEquals(60 + 30 + 60, tpe.stepsToReach(0.80, 0.02));
  }

  @Test
  void ashaCountsItsJobsInTheOrderItsOneWorkerRanThem() {
    // Budgets 30 then 90: trials 0, 1, 2 at 30 steps, trial 1 promoted (job 3), then trial 3 at 30.
    List<AshaSchedule.Job> jobs = List.of(
        new AshaSchedule.Job(0, "trial-0000", 0, 30, 0),
        new AshaSchedule.Job(1, "trial-0001", 0, 30, 0),
        new AshaSchedule.Job(2, "trial-0002", 0, 30, 0),
        new AshaSchedule.Job(3, "trial-0001", 1, 90, 0),
        new AshaSchedule.Job(4, "trial-0003", 0, 30, 0));
    SearchBenchmark.Run asha = new SearchBenchmark.Run(Algorithm.ASHA, Goal.MINIMIZE, "eval_rmse", List.of(
        trial(0, TrialStatus.COMPLETED, 30, 0.95),
        trial(1, TrialStatus.COMPLETED, 90, 0.90, 0.85, 0.80),
        trial(2, TrialStatus.COMPLETED, 30, 0.97),
        trial(3, TrialStatus.COMPLETED, 30, 0.79)), 4, List.of(), jobs, 0);
    // 0.80 itself: trial 1 at step 90, 60 steps into job 3, after jobs 0-2 (90 steps).
    assertEquals(90 + 60, asha.stepsToReach(0.80, 0));
    // Each job is its own group: the expectation is the count in log order.
    assertEquals(90 + 60, asha.expectedStepsToReach(0.80, 0), 1e-9);
    // Within 2% of 0.85 (<= 0.867): trial 1 at step 60, 30 steps into job 3.
    assertEquals(90 + 30, asha.stepsToReach(0.85, 0.02));
  }
}
