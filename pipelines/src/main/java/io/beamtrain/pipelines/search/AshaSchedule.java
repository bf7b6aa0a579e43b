package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.pipelines.study.Rung;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.sweep.ParetoOrder;
import io.beamtrain.pipelines.sweep.TrialRanking;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decision rule of asynchronous successive halving (ASHA; Li et al., "A system for massively
 * parallel hyperparameter tuning", MLSys 2020, Algorithm 2): whenever a worker is free, promote a
 * trial that is among the top {@code floor(n_k / eta)} of the {@code n_k} jobs finished at rung
 * {@code k} and not yet promoted -- highest rung first -- or else start a new trial at rung 0.
 * Unlike synchronous successive halving it never waits for a whole rung, so the first trial
 * reaches rung 2 after about {@code eta^2} first-rung jobs instead of all of them.
 *
 * <p>A pure function of the job log ({@link #next}), so a worker's decision depends only on what
 * the log holds when it decides, and one worker's whole search is deterministic. Ranking follows
 * {@link TrialRanking}'s rule: by the study metric in the goal's direction, ties by trial id;
 * a FAILED, DIVERGED or STOPPED job, or one without a finite metric, counts in {@code n_k} but
 * ranks last and is never promoted.
 *
 * <p>A step budget bounds the whole search: a job is only claimed while the steps of all claimed
 * jobs plus its own stay within {@code maxSteps} (a promotion costs the steps between the two
 * rungs' budgets, a start the first rung's). Without it ASHA overspends successive halving's plan
 * for the same trials, by a third on a realistic search: a trial promoted early can later fall
 * out of its rung's top {@code 1 / eta} and stays promoted, so rungs above the first hold more
 * than {@code floor(n / eta)} trials.
 *
 * @param budgets each rung's step budget, growing by {@code eta}; the last is the maximum budget
 * @param eta the promotion fraction's inverse
 * @param maxTrials how many trials (configurations) the search starts at most
 * @param maxSteps how many training steps all jobs together may claim
 * <p>Several metrics ({@code objectives} multi-objective or constrained): a rung's finished jobs
 * rank by {@link ParetoOrder} on every metric of their outcome -- feasible first, then
 * non-dominated rank, then crowding distance (the less crowded first), then trial id, the order
 * successive halving cuts its rungs by -- and a job is promotable when it completed with every
 * objective.
 *
 * @param metric the study metric and its goal
 * @param objectives the study's metrics and constraints; null = {@code metric} alone
 */
public record AshaSchedule(
    List<Integer> budgets, int eta, int maxTrials, long maxSteps, MetricSpec metric, StudyObjectives objectives)
    implements Serializable {

  public AshaSchedule(List<Integer> budgets, int eta, int maxTrials, long maxSteps, MetricSpec metric) {
    this(budgets, eta, maxTrials, maxSteps, metric, null);
  }

  /** The same schedule ranking rungs by {@code studyObjectives} (Pareto order when there are several). */
  public AshaSchedule withObjectives(StudyObjectives studyObjectives) {
    return new AshaSchedule(budgets, eta, maxTrials, maxSteps, metric, studyObjectives);
  }

  private boolean paretoRanked() {
    return objectives != null && !objectives.isSingleMetricOnly();
  }

  public AshaSchedule {
    budgets = List.copyOf(budgets);
    if (budgets.isEmpty() || eta < 2 || maxTrials < 1 || maxSteps < budgets.get(0)) {
      throw new IllegalArgumentException("budgets " + budgets + ", eta " + eta + ", maxTrials " + maxTrials
          + ", maxSteps " + maxSteps + " (at least the first rung's budget)");
    }
  }

  /**
   * The rungs successive halving would use from {@code minBudget} to {@code maxBudget}, and a step
   * budget of {@code maxSteps} (0 = successive halving's plan for {@code maxTrials}, {@link #plannedSteps()}).
   */
  public static AshaSchedule of(
      int minBudget, int maxBudget, int eta, int maxTrials, long maxSteps, MetricSpec metric) {
    List<Integer> budgets = Brackets.ashaBudgets(minBudget, maxBudget, eta);
    long steps = maxSteps > 0 ? maxSteps : Brackets.plannedSteps(budgets, eta, maxTrials);
    return new AshaSchedule(budgets, eta, maxTrials, steps, metric);
  }

  /** One claimed piece of work: train {@code trial} up to rung {@code rung}'s budget. */
  public record Job(int index, String trial, int rung, int budget, int worker) implements Serializable {}

  /**
   * How a job ended: the trial's status and its metric at its best step so far (NaN if none), and
   * every metric of that result ({@code metrics}, what a multi-objective rung ranks by; empty in
   * logs of older versions).
   */
  public record Outcome(TrialStatus status, double metric, long steps, Map<String, Double> metrics)
      implements Serializable {
    public Outcome {
      metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    public Outcome(TrialStatus status, double metric, long steps) {
      this(status, metric, steps, Map.of());
    }

    boolean isPromotable() {
      return status == TrialStatus.COMPLETED && Double.isFinite(metric);
    }
  }

  /** What a free worker does next. */
  public sealed interface Decision {}

  /** Continue {@code trial} from its checkpoint up to rung {@code rung}'s budget. */
  public record Promote(String trial, int rung) implements Decision {}

  /** Start the study's trial number {@code trialIndex} at rung 0. */
  public record Start(int trialIndex) implements Decision {}

  /** Nothing to do until a running job finishes (it may make a promotion possible). */
  public record Wait() implements Decision {}

  /** Every trial is started and nothing running can lead to a promotion: the search is over. */
  public record Done() implements Decision {}

  /**
   * The next decision for a log holding {@code jobs} (indices {@code 0..n-1}, in order) of which
   * those in {@code outcomes} (by job index) have finished.
   */
  public Decision next(List<Job> jobs, Map<Integer, Outcome> outcomes) {
    int top = budgets.size() - 1;
    List<List<Finished>> finished = new ArrayList<>();
    List<Set<String>> claimed = new ArrayList<>();
    for (int k = 0; k <= top; k++) {
      finished.add(new ArrayList<>());
      claimed.add(new HashSet<>());
    }
    int started = 0;
    boolean running = false;
    long spent = 0;
    for (Job job : jobs) {
      spent += cost(job.rung());
      claimed.get(job.rung()).add(job.trial());
      if (job.rung() == 0) {
        started++;
      }
      Outcome outcome = outcomes.get(job.index());
      if (outcome == null) {
        running = true;
      } else {
        finished.get(job.rung()).add(new Finished(job.trial(), outcome));
      }
    }
    for (int k = top - 1; k >= 0; k--) {
      if (spent + cost(k + 1) > maxSteps) {
        continue;
      }
      List<Finished> rung = ranked(finished.get(k));
      int promotable = rung.size() / eta;
      for (Finished candidate : rung.subList(0, promotable)) {
        if (promotable(candidate) && !claimed.get(k + 1).contains(candidate.trial())) {
          return new Promote(candidate.trial(), k + 1);
        }
      }
    }
    if (started < maxTrials && spent + cost(0) <= maxSteps) {
      return new Start(started);
    }
    return running ? new Wait() : new Done();
  }

  /** The steps a job at {@code rung} trains: from the rung below's budget to its own. */
  public int cost(int rung) {
    return budgets.get(rung) - (rung == 0 ? 0 : budgets.get(rung - 1));
  }

  /**
   * The steps of successive halving over the same trials, each rung {@code k + 1} holding {@code
   * floor(n_k / eta)} trials: the default {@link #maxSteps}, so that by default ASHA spends what
   * successive halving would on {@code maxTrials} trials.
   */
  public long plannedSteps() {
    return Brackets.plannedSteps(budgets, eta, maxTrials);
  }


  private record Finished(String trial, Outcome outcome) {}

  /** A rung's finished jobs, best first. */
  private List<Finished> ranked(List<Finished> rung) {
    if (!paretoRanked()) {
      rung.sort(ranking());
      return rung;
    }
    Map<String, Finished> byTrial = new java.util.HashMap<>();
    List<TrialResult> results = new ArrayList<>();
    for (Finished f : rung) {
      byTrial.put(f.trial(), f);
      results.add(new TrialResult(f.trial(), f.outcome().status(), f.outcome().steps(), null,
          f.outcome().metrics(), List.of(), Map.of(), 0, null, null, 0));
    }
    List<Finished> out = new ArrayList<>();
    new ParetoOrder(objectives).sort(results).forEach(r -> out.add(byTrial.get(r.trial())));
    return out;
  }

  private boolean promotable(Finished f) {
    if (!paretoRanked()) {
      return f.outcome().isPromotable();
    }
    return f.outcome().status() == TrialStatus.COMPLETED && objectives.names().stream()
        .allMatch(name -> f.outcome().metrics().get(name) != null && Double.isFinite(f.outcome().metrics().get(name)));
  }

  /** Promotable first, by the metric in the goal's direction; the rest after; ties by trial id. */
  private Comparator<Finished> ranking() {
    return TrialRanking.order(metric.goal(), (Finished f) -> f.outcome().isPromotable(),
        f -> f.outcome().metric(), Finished::trial);
  }
}
