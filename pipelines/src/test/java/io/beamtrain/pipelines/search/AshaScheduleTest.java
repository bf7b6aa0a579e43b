package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.search.AshaSchedule.Decision;
import io.beamtrain.pipelines.search.AshaSchedule.Done;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.search.AshaSchedule.Outcome;
import io.beamtrain.pipelines.search.AshaSchedule.Promote;
import io.beamtrain.pipelines.search.AshaSchedule.Start;
import io.beamtrain.pipelines.search.AshaSchedule.Wait;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** ASHA's decision rule on hand-made job logs, and whole one-worker searches simulated with it. */
class AshaScheduleTest {
  private static final MetricSpec LOSS = new MetricSpec("eval_loss", Goal.MINIMIZE);
  private static final MetricSpec ACCURACY = new MetricSpec("eval_accuracy", Goal.MAXIMIZE);

  /** A log under construction: jobs in claim order and the outcomes of those that finished. */
  private static final class Log {
    final List<Job> jobs = new ArrayList<>();
    final Map<Integer, Outcome> outcomes = new HashMap<>();

    Log finished(int trial, int rung, double metric) {
      return finished(trial, rung, TrialStatus.COMPLETED, metric);
    }

    Log finished(int trial, int rung, TrialStatus status, double metric) {
      int index = jobs.size();
      jobs.add(new Job(index, Trial.idOf(trial), rung, 10, 0));
      outcomes.put(index, new Outcome(status, metric, 10));
      return this;
    }

    Log running(int trial, int rung) {
      jobs.add(new Job(jobs.size(), Trial.idOf(trial), rung, 10, 0));
      return this;
    }

    Decision next(AshaSchedule schedule) {
      return schedule.next(jobs, outcomes);
    }
  }

  private static AshaSchedule schedule(int maxTrials, MetricSpec metric) {
    return new AshaSchedule(List.of(10, 30, 90), 3, maxTrials, Long.MAX_VALUE, metric);
  }

  @Test
  void startsTrialsInOrderUntilARungHasEtaFinishedJobs() {
    AshaSchedule asha = schedule(20, LOSS);
    assertEquals(new Start(0), new Log().next(asha));
    assertEquals(new Start(2), new Log().finished(0, 0, 0.5).finished(1, 0, 0.4).next(asha));
    // Three finished: floor(3 / 3) = 1 may go on, the best one.
    assertEquals(new Promote(Trial.idOf(1), 1),
        new Log().finished(0, 0, 0.5).finished(1, 0, 0.4).finished(2, 0, 0.6).next(asha));
    // A running job does not count in n: two finished and one running starts a new trial.
    assertEquals(new Start(3),
        new Log().finished(0, 0, 0.5).finished(1, 0, 0.4).running(2, 0).next(asha));
  }

  @Test
  void promotesEachTrialOnceAndOnlyFromTheTopThird() {
    AshaSchedule asha = schedule(20, LOSS);
    Log log = new Log().finished(0, 0, 0.5).finished(1, 0, 0.4).finished(2, 0, 0.6).running(1, 1);
    // trial-0001 is already on its way up; no other is in the top floor(3 / 3) = 1.
    assertEquals(new Start(3), log.next(asha));
    log.finished(3, 0, 0.9).finished(4, 0, 0.45);
    // Five finished: the top one (trial-0001) is taken, so nothing; trial-0004 is second.
    assertEquals(new Start(5), log.next(asha));
    log.finished(5, 0, 0.7);
    // Six: the top two may go on; trial-0004 is the one not yet promoted.
    assertEquals(new Promote(Trial.idOf(4), 1), log.next(asha));
  }

  @Test
  void followsTheGoalAndBreaksTiesByTrialId() {
    assertEquals(new Promote(Trial.idOf(2), 1), new Log()
        .finished(0, 0, 0.5).finished(1, 0, 0.4).finished(2, 0, 0.9).next(schedule(20, ACCURACY)));
    assertEquals(new Promote(Trial.idOf(1), 1), new Log()
        .finished(2, 0, 0.4).finished(1, 0, 0.4).finished(0, 0, 0.5).next(schedule(20, LOSS)));
  }

  @Test
  void aFailedOrStoppedJobCountsInTheRungButIsNeverPromoted() {
    AshaSchedule asha = schedule(20, LOSS);
    // The failed trial "ranks" nowhere; the best of the rest is promoted once 3 have finished.
    assertEquals(new Promote(Trial.idOf(1), 1), new Log()
        .finished(0, 0, TrialStatus.FAILED, Double.NaN).finished(1, 0, 0.4).finished(2, 0, 0.6).next(asha));
    // Only unpromotable jobs in the top third: a new trial instead.
    assertEquals(new Start(3), new Log()
        .finished(0, 0, TrialStatus.DIVERGED, 0.1).finished(1, 0, TrialStatus.STOPPED, 0.2)
        .finished(2, 0, TrialStatus.FAILED, Double.NaN).next(asha));
  }

  @Test
  void promotesFromTheHighestRungFirstAndNeverBeyondTheLast() {
    AshaSchedule asha = schedule(20, LOSS);
    Log log = new Log();
    for (int t = 0; t < 9; t++) {
      log.finished(t, 0, t / 10.0);
    }
    log.finished(0, 1, 0.3).finished(1, 1, 0.1).finished(2, 1, 0.2);
    // Rung 0 still has trial-0000..0002 promoted out of a top 3: rung 1's best goes first.
    assertEquals(new Promote(Trial.idOf(1), 2), log.next(asha));
    log.finished(1, 2, 0.05);
    for (int t = 9; t < 20; t++) {
      log.finished(t, 0, 1.0);
    }
    // 20 at rung 0 (top 6: trials 0-5), 3 at rung 1, 1 at rung 2, which is the last.
    assertEquals(new Promote(Trial.idOf(3), 1), log.next(asha));
  }

  @Test
  void waitsWhileARunningJobMayStillPromoteAndIsDoneAfterwards() {
    AshaSchedule asha = schedule(3, LOSS);
    Log log = new Log().finished(0, 0, 0.5).finished(1, 0, 0.4).running(2, 0);
    assertEquals(new Wait(), log.next(asha));
    log.outcomes.put(2, new Outcome(TrialStatus.COMPLETED, 0.6, 10));
    assertEquals(new Promote(Trial.idOf(1), 1), log.next(asha));
    log.finished(1, 1, 0.3);
    assertEquals(new Done(), log.next(asha));
  }

  /** Runs a whole search with one worker, each job's metric from {@code metric(trial, rung)}. */
  private static List<Job> simulate(AshaSchedule asha, ToDoubleFunction<Job> metric) {
    Log log = new Log();
    while (true) {
      Decision d = log.next(asha);
      if (d instanceof Done) {
        return log.jobs;
      }
      Job job;
      if (d instanceof Promote p) {
        job = new Job(log.jobs.size(), p.trial(), p.rung(), asha.budgets().get(p.rung()), 0);
      } else {
        job = new Job(log.jobs.size(), Trial.idOf(((Start) d).trialIndex()), 0, asha.budgets().get(0), 0);
      }
      assertInstanceOf(Job.class, job);
      log.jobs.add(job);
      log.outcomes.put(job.index(), new Outcome(TrialStatus.COMPLETED, metric.applyAsDouble(job), job.budget()));
    }
  }

  @Test
  void aOneWorkerSearchPromotesEveryRungsTopThirdAndReachesTheTopRungEarly() {
    AshaSchedule asha = new AshaSchedule(List.of(30, 90, 270, 810), 3, 81, Long.MAX_VALUE, LOSS);
    assertEquals(81 * 30 + 27 * 60 + 9 * 180 + 3 * 540, asha.plannedSteps());
    for (long seed = 1; seed <= 5; seed++) {
      Random random = new Random(seed);
      Map<String, Double> quality = new HashMap<>();
      Map<Job, Double> metrics = new HashMap<>();
      List<Job> jobs = simulate(asha, job -> metrics.computeIfAbsent(job,
          j -> quality.computeIfAbsent(j.trial(), t -> random.nextDouble()) + 0.1 * random.nextGaussian()));
      long steps = 0;
      Map<String, Integer> reached = new HashMap<>();
      for (Job job : jobs) {
        int previous = job.rung() == 0 ? 0 : asha.budgets().get(job.rung() - 1);
        steps += job.budget() - previous;
        // A trial climbs one rung at a time.
        assertEquals(job.rung(), reached.merge(job.trial(), 0, (a, b) -> a + 1), job.toString());
      }
      assertTrue(steps >= asha.plannedSteps(), "seed " + seed + ": " + steps);
      assertEquals(81, jobs.stream().filter(j -> j.rung() == 0).count());
      for (int k = 0; k < 3; k++) {
        int rung = k;
        List<Job> finished = new ArrayList<>(jobs.stream().filter(j -> j.rung() == rung).toList());
        finished.sort((a, b) -> Double.compare(metrics.get(a), metrics.get(b)));
        List<String> next = jobs.stream().filter(j -> j.rung() == rung + 1).map(Job::trial).toList();
        for (Job top : finished.subList(0, finished.size() / 3)) {
          assertTrue(next.contains(top.trial()), "seed " + seed + ": " + top + " is in rung " + k + "'s top third");
        }
      }
      // The first rung-2 job comes after at most eta^2 = 9 first-rung jobs and 3 rung-1 jobs (fewer when
      // a noisy later result pushes an earlier promotion out of the top third), not after all 81.
      int firstRung2 = jobs.stream().filter(j -> j.rung() == 2).findFirst().orElseThrow().index();
      assertTrue(firstRung2 <= 12, "seed " + seed + ": " + firstRung2);
    }
  }

  @Test
  void theRungsAreSuccessiveHalvingsBudgets() {
    AshaSchedule asha = AshaSchedule.of(30, 810, 3, 10, 0, LOSS);
    assertEquals(List.of(30, 90, 270, 810), asha.budgets());
    // Budgets are the maximum over powers of eta, so a minimum of 100 gives a first rung of 270.
    assertEquals(List.of(270, 810), AshaSchedule.of(100, 810, 3, 10, 0, LOSS).budgets());
  }

  @Test
  void theStepBudgetStopsClaimsThatWouldExceedIt() {
    // Budgets 10, 30, 90: a start costs 10, a promotion to rung 1 costs 20, to rung 2 costs 60.
    AshaSchedule asha = new AshaSchedule(List.of(10, 30, 90), 3, 20, 60, LOSS);
    Log log = new Log().finished(0, 0, 0.5).finished(1, 0, 0.4).finished(2, 0, 0.6);
    // 30 spent: the promotion (20) fits.
    assertEquals(new Promote(Trial.idOf(1), 1), log.next(asha));
    log.finished(1, 1, 0.3).finished(3, 0, 0.7);
    // 60 spent: nothing fits any more, and nothing is running.
    assertEquals(new Done(), log.next(asha));
    // With 10 more, a start still fits but the promotion of trial-0001 to rung 2 (60) does not.
    AshaSchedule more = new AshaSchedule(List.of(10, 30, 90), 3, 20, 70, LOSS);
    assertEquals(new Start(4), log.next(more));
  }

  @Test
  void byDefaultTheStepBudgetIsSuccessiveHalvingsPlanAndASearchStaysWithinIt() {
    AshaSchedule asha = AshaSchedule.of(30, 810, 3, 81, 0, LOSS);
    assertEquals(asha.plannedSteps(), asha.maxSteps());
    Random random = new Random(7);
    Map<Job, Double> metrics = new HashMap<>();
    Map<String, Double> quality = new HashMap<>();
    List<Job> jobs = simulate(asha, job -> metrics.computeIfAbsent(job,
        j -> quality.computeIfAbsent(j.trial(), t -> random.nextDouble()) + 0.1 * random.nextGaussian()));
    long steps = jobs.stream().mapToLong(j -> asha.cost(j.rung())).sum();
    assertTrue(steps <= asha.maxSteps(), steps + " > " + asha.maxSteps());
    assertTrue(steps > asha.maxSteps() - 30, "it stops only when not even a start fits: " + steps);
    assertTrue(jobs.stream().anyMatch(j -> j.rung() == 3), "some trial reached the maximum budget");
  }
}
