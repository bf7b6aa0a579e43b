package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.search.AshaSchedule.Decision;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.search.AshaSchedule.Outcome;
import io.beamtrain.pipelines.search.AshaSchedule.Promote;
import io.beamtrain.pipelines.search.AshaSchedule.Start;
import io.beamtrain.pipelines.study.OutcomeConstraint;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ASHA with several metrics promotes by non-dominated rank, crowding distance breaking ties. */
class MultiObjectiveAshaTest {
  private static final MetricSpec RMSE = new MetricSpec("eval_rmse", Goal.MINIMIZE);

  private final List<Job> jobs = new ArrayList<>();
  private final Map<Integer, Outcome> outcomes = new HashMap<>();

  private void finished(int trial, double rmse, double mae) {
    int index = jobs.size();
    jobs.add(new Job(index, Trial.idOf(trial), 0, 10, 0));
    outcomes.put(index, new Outcome(TrialStatus.COMPLETED, rmse, 10, Map.of("eval_rmse", rmse, "eval_mae", mae)));
  }

  private void claimed(String trial, int rung) {
    jobs.add(new Job(jobs.size(), trial, rung, 30, 0));
  }

  /**
   * Six first-rung jobs, two may go on: the front is trials 0 (0, 1), 1 (0.5, 0.3) and 2 (1, 0);
   * the ends of the front have infinite crowding distance, the middle one finite, so 0 and 2 go
   * on; by eval_rmse alone 0 and 1 would.
   */
  private void sixJobs() {
    finished(0, 0.0, 1.0);
    finished(1, 0.5, 0.3);
    finished(2, 1.0, 0.0);
    finished(3, 0.6, 0.9);
    finished(4, 0.8, 0.8);
    finished(5, 1.1, 1.1);
  }

  @Test
  void promotesTheFrontsLeastCrowdedMembersFirst() {
    AshaSchedule asha = new AshaSchedule(List.of(10, 30, 90), 3, 20, Long.MAX_VALUE, RMSE).withObjectives(Zdt1.objectives());
    sixJobs();
    assertEquals(new Promote(Trial.idOf(0), 1), asha.next(jobs, outcomes));
    claimed(Trial.idOf(0), 1);
    assertEquals(new Promote(Trial.idOf(2), 1), asha.next(jobs, outcomes));
    claimed(Trial.idOf(2), 1);
    assertEquals(new Start(6), asha.next(jobs, outcomes), "the top 6/3 are promoted: a new trial starts");

    // The single-metric rule on the same log picks by eval_rmse: trial 1 before trial 2.
    AshaSchedule single = new AshaSchedule(List.of(10, 30, 90), 3, 20, Long.MAX_VALUE, RMSE);
    jobs.subList(6, jobs.size()).clear();
    claimed(Trial.idOf(0), 1);
    assertEquals(new Promote(Trial.idOf(1), 1), single.next(jobs, outcomes));
  }

  @Test
  void anInfeasibleJobRanksAfterTheFeasibleOnes() {
    StudyObjectives constrained = new StudyObjectives(Zdt1.objectives().metrics(),
        List.of(new OutcomeConstraint("eval_rmse", null, 0.9)), null);
    AshaSchedule asha = new AshaSchedule(List.of(10, 30, 90), 3, 20, Long.MAX_VALUE, RMSE).withObjectives(constrained);
    sixJobs();
    Decision first = asha.next(jobs, outcomes);
    assertEquals(new Promote(Trial.idOf(0), 1), first);
    claimed(Trial.idOf(0), 1);
    // Trial 2 breaks eval_rmse <= 0.9: trial 1, the other end of the feasible front, goes instead.
    assertEquals(new Promote(Trial.idOf(1), 1), asha.next(jobs, outcomes));
  }

  @Test
  void outcomesKeepTheirMetricsThroughTheJobLogsJson() {
    Outcome outcome = new Outcome(TrialStatus.COMPLETED, 0.5, 10, Map.of("eval_rmse", 0.5, "model_params", 1234.0));
    assertEquals(outcome, JobLog.OutcomeJson.of(outcome).toOutcome());
    Outcome single = new Outcome(TrialStatus.COMPLETED, 0.5, 10);
    assertEquals(single, JobLog.OutcomeJson.of(single).toOutcome());
    assertTrue(JobLog.OutcomeJson.of(single).metrics().isEmpty());
  }
}
