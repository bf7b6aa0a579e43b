package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.pareto.Hypervolume;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.ParetoOrder;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hypervolume reached on ZDT1 (a two-objective function with a known front, {@link Zdt1}, 4
 * parameters) by NSGA2 and by multi-objective successive halving, each against random search at
 * equal training steps, over several seeds, with the stub objective in place of training (so the
 * figures measure the search, not the machine). A trial at full budget costs {@code R} steps.
 *
 * <p>NSGA2: {@value #NSGA2_TRIALS} trials in rounds of {@value #ROUND} against as many random
 * trials. Successive halving: 81 trials at R/27, the rung cut to a third by the rule of {@link
 * RungCutoff} ({@link ParetoOrder}: non-dominated rank, crowding distance) up to 3 at R, 9R steps
 * in all, against 9 random trials at R. A trial's observed second objective at budget {@code b}
 * is its final value plus a learning-curve term {@code 0.5 (1 - b/R) u} with a per-trial {@code u}
 * in [0, 1) (a partly trained model is worse, by a trial-specific amount), the first objective is
 * exact at any budget (like model_params). NSGA2's hypervolume is to (1.1, 1.1), near the true
 * front; successive halving's, with far fewer trials at full budget, to (1.1, 10.1).
 *
 * <p>Multi-objective ASHA: one worker simulated on the same rungs ({@link AshaSchedule} with the
 * study's objectives: promotion by non-dominated rank and crowding distance), at most 81 trials
 * and successive halving's step budget; the trials that reached R, at R, against random search
 * with as many R-step trials as ASHA's steps pay for. Run with {@code -Pbenchmarks}.
 */
@Tag("benchmark")
class MultiObjectiveBenchmark {
  private static final int DIMS = 4;
  private static final int ROUND = 10;
  private static final int NSGA2_TRIALS = 200;
  private static final long[] SEEDS = {1, 2, 3, 4, 5};

  @Test
  void hypervolumeAgainstRandomAtEqualSteps() {
    double truth = Zdt1.trueHypervolume();
    double nsga2Sum = 0;
    double randomSum = 0;
    double halvingSum = 0;
    double randomEqualSum = 0;
    double ashaSum = 0;
    double randomAshaSum = 0;
    System.out.printf(Locale.ROOT, "%n== ZDT1 (%d parameters), hypervolume to (1.1, 1.1); true front %.4f%n", DIMS, truth);
    for (long seed : SEEDS) {
      double nsga2 = Nsga2ProposerTest.hypervolume(Nsga2ProposerTest.runNsga2(seed, NSGA2_TRIALS));
      double random = Nsga2ProposerTest.hypervolume(Nsga2ProposerTest.runRandom(seed, NSGA2_TRIALS));
      double halving = hypervolume(successiveHalving(seed));
      double randomEqual = hypervolume(Nsga2ProposerTest.runRandom(seed, 9));
      System.out.printf(Locale.ROOT,
          "seed %d: NSGA2 %.4f vs random %.4f at %d x R steps (%.2fx); MO successive halving %.4f vs random %.4f at 9 x R"
              + " steps (%.2fx, to (1.1, 10.1))%n",
          seed, nsga2, random, NSGA2_TRIALS, nsga2 / random, halving, randomEqual, halving / randomEqual);
      AshaRun asha = asha(seed);
      double ashaVolume = hypervolume(asha.atFullBudget());
      int equalTrials = (int) (asha.steps() / R);
      double randomAsha = hypervolume(Nsga2ProposerTest.runRandom(seed, equalTrials));
      System.out.printf(Locale.ROOT,
          "seed %d: MO ASHA %.4f (%d trials at R) vs random %.4f at %d x R steps (%.2fx, to (1.1, 10.1))%n",
          seed, ashaVolume, asha.atFullBudget().size(), randomAsha, equalTrials, ashaVolume / randomAsha);
      ashaSum += ashaVolume;
      randomAshaSum += randomAsha;
      nsga2Sum += nsga2;
      randomSum += random;
      halvingSum += halving;
      randomEqualSum += randomEqual;
    }
    int n = SEEDS.length;
    System.out.printf(Locale.ROOT, "-- mean over %d seeds: NSGA2 %.4f (%.0f%% of the true front) / random %.4f = %.2fx;"
            + " MO successive halving %.4f / random %.4f = %.2fx%n",
        n, nsga2Sum / n, 100 * nsga2Sum / n / truth, randomSum / n, nsga2Sum / randomSum,
        halvingSum / n, randomEqualSum / n, halvingSum / randomEqualSum);
    System.out.printf(Locale.ROOT, "-- MO ASHA (one worker) %.4f / random at equal steps %.4f = %.2fx%n",
        ashaSum / n, randomAshaSum / n, ashaSum / randomAshaSum);
  }

  /** Steps of a full-budget trial in the ASHA simulation. */
  private static final int R = 810;

  record AshaRun(List<TrialResult> atFullBudget, long steps) {}

  /** One ASHA worker on rungs R/27 .. R, each job's outcome the trial's observed values at its budget. */
  private static AshaRun asha(long seed) {
    AshaSchedule schedule = AshaSchedule.of(R / 27, R, 3, 81, 0, new io.beamtrain.trainer.MetricSpec("eval_rmse",
        io.beamtrain.checkpointing.Goal.MINIMIZE)).withObjectives(Zdt1.objectives());
    List<SortedMap<String, Object>> points = Algorithm.RANDOM.search().suggest(Zdt1.parameters(DIMS), 81, seed);
    List<AshaSchedule.Job> jobs = new ArrayList<>();
    java.util.Map<Integer, AshaSchedule.Outcome> outcomes = new java.util.HashMap<>();
    java.util.Map<String, TrialResult> top = new java.util.TreeMap<>();
    long steps = 0;
    while (true) {
      AshaSchedule.Decision decision = schedule.next(jobs, outcomes);
      String id;
      int rung;
      if (decision instanceof AshaSchedule.Start start) {
        id = Trial.idOf(start.trialIndex());
        rung = 0;
      } else if (decision instanceof AshaSchedule.Promote promote) {
        id = promote.trial();
        rung = promote.rung();
      } else {
        break;
      }
      int index = Integer.parseInt(id.substring("trial-".length()));
      int budget = schedule.budgets().get(rung);
      steps += schedule.cost(rung);
      TrialResult observed = observed(new Trial(id, index, points.get(index), index), (double) budget / R, seed);
      jobs.add(new AshaSchedule.Job(jobs.size(), id, rung, budget, 0));
      outcomes.put(jobs.size() - 1, new AshaSchedule.Outcome(
          TrialStatus.COMPLETED, observed.metric("eval_rmse"), budget, observed.metrics()));
      if (budget == R) {
        top.put(id, observed);
      }
    }
    return new AshaRun(List.copyOf(top.values()), steps);
  }

  /**
   * Hypervolume to (1.1, 10.1), which every ZDT1 point is inside (f2 <= g <= 10): a handful of
   * trials far from the front would mostly score 0 against (1.1, 1.1).
   */
  private static double hypervolume(List<TrialResult> results) {
    StudyObjectives objectives = Zdt1.objectives();
    return Hypervolume.of(new ParetoOrder(objectives).front(results).stream().map(objectives::costs).toList(),
        new double[] {1.1, 10.1});
  }

  /** 81 -> 27 -> 9 -> 3 trials over budgets R/27, R/9, R/3, R; the trials that reached R, at R. */
  private static List<TrialResult> successiveHalving(long seed) {
    StudyObjectives objectives = Zdt1.objectives();
    List<SortedMap<String, Object>> points = Algorithm.RANDOM.search().suggest(Zdt1.parameters(DIMS), 81, seed);
    List<Trial> alive = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      alive.add(new Trial(Trial.idOf(i), i, points.get(i), i));
    }
    double[] fractions = {1.0 / 27, 1.0 / 9, 1.0 / 3, 1.0};
    List<TrialResult> rung = List.of();
    for (int r = 0; r < fractions.length; r++) {
      List<TrialResult> results = new ArrayList<>();
      for (Trial t : alive) {
        results.add(observed(t, fractions[r], seed));
      }
      rung = results;
      if (r + 1 < fractions.length) {
        List<TrialResult> kept = new ParetoOrder(objectives).sort(results).subList(0, results.size() / 3);
        List<Trial> next = new ArrayList<>();
        for (TrialResult k : kept) {
          alive.stream().filter(t -> t.id().equals(k.trial())).forEach(next::add);
        }
        alive = next;
      }
    }
    return rung;
  }

  private static TrialResult observed(Trial trial, double fraction, long seed) {
    TrialResult last = Zdt1.evaluate(trial, DIMS);
    double u = new java.util.SplittableRandom(seed * 1_000_003L + trial.index()).nextDouble();
    double f2 = last.metric("eval_mae") + 0.5 * (1 - fraction) * u;
    return new TrialResult(trial.id(), TrialStatus.COMPLETED, 1, 1L,
        Map.of("eval_rmse", last.metric("eval_rmse"), "eval_mae", f2), List.of(), trial.params(), trial.seed(),
        null, null, 0);
  }
}
