package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.pipelines.study.PbtSettings;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.OutputConflicts;
import io.beamtrain.pipelines.sweep.SweepPlan;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The check every command that runs a study makes before it writes (see {@link OutputConflicts}),
 * for any plan, plain or adaptive: an adaptive search's trials are checked as it will train them
 * (successive halving and ASHA give a decaying learning rate the maximum budget as its horizon),
 * and an ASHA job log under {@code <output>/search/} must be one this study could have written:
 * every job's budget one of the schedule's rungs, every started trial one of the study's (its
 * parameters, for the random sampler, and its seed). A log of another study would otherwise make
 * this run's workers resume its jobs. TPE proposes its trials as it goes; of those only the job
 * log's seeds are checked (and study.json). Stateless.
 */
public final class SearchConflicts {
  private SearchConflicts() {}

  /** Refuses the run (UsageException, exit 2) when the output holds another study's work. */
  public static void check(SweepPlan plan, SearchSettings search) {
    StudySpec study = plan.study();
    if (!SearchSettings.isAdaptive(study, search)) {
      OutputConflicts.check(plan);
      return;
    }
    OutputConflicts.check(plan, knownTrials(plan, search));
    if (study.algorithm() == Algorithm.ASHA) {
      checkJobLog(plan, search);
    }
  }

  /** The trials whose hyperparameters are known before the search starts, as it trains them. */
  static List<Trial> knownTrials(SweepPlan plan, SearchSettings search) {
    StudySpec study = plan.study();
    return switch (study.algorithm()) {
      case SUCCESSIVE_HALVING, HYPERBAND -> {
        List<Bracket> brackets = AdaptiveSearch.brackets(study, search);
        yield SuccessiveHalving.of(study.withMaxTrials(Brackets.totalTrials(brackets)).trials(), brackets,
            plan.settings()).trials();
      }
      case ASHA -> search.sampler() == SearchSettings.Sampler.TPE ? List.of() : ashaTrials(plan, search);
      case TPE, NSGA2 -> List.of();
      case PBT -> PopulationBasedTraining.population(study, PbtSettings.of(study));
      default -> study.trials();
    };
  }

  private static List<Trial> ashaTrials(SweepPlan plan, SearchSettings search) {
    List<Integer> budgets = AdaptiveSearch.ashaSchedule(plan.study(), search).budgets();
    int maxBudget = budgets.get(budgets.size() - 1);
    return plan.study().trials().stream().map(t -> SuccessiveHalving.withScheduleHorizon(t, maxBudget)).toList();
  }

  private static void checkJobLog(SweepPlan plan, SearchSettings search) {
    String dir = plan.layout().jobLog();
    JobLog log = new JobLog(dir, Storages.forPath(dir, plan.settings().storage()));
    JobLog.Snapshot snapshot = log.read();
    if (snapshot.jobs().isEmpty()) {
      return;
    }
    List<Integer> budgets = AdaptiveSearch.ashaSchedule(plan.study(), search).budgets();
    List<Trial> planned = plan.study().trials();
    Map<String, Trial> known = search.sampler() == SearchSettings.Sampler.TPE
        ? Map.of()
        : ashaTrials(plan, search).stream().collect(Collectors.toMap(Trial::id, t -> t));
    for (Job job : snapshot.jobs()) {
      String path = log.path(job.index());
      if (!budgets.contains(job.budget())) {
        throw conflict(path, "budget=" + job.budget() + ", not one of this study's rungs " + budgets);
      }
      int index = Trial.indexOf(job.trial());
      if (index < 0 || index >= planned.size()) {
        throw conflict(path, "trial=" + job.trial() + ", not one of this study's " + planned.size() + " trials");
      }
      Trial started = snapshot.trials().get(job.trial());
      if (started == null || job.rung() != 0) {
        continue;
      }
      if (started.seed() != planned.get(index).seed()) {
        throw conflict(path, "seed=" + started.seed() + ", this study's " + job.trial() + " has seed="
            + planned.get(index).seed());
      }
      Trial expected = known.get(job.trial());
      if (expected != null && !asText(expected.params()).equals(asText(started.params()))) {
        throw conflict(path, "params=" + started.params() + ", this study's " + job.trial() + " has params="
            + expected.params());
      }
    }
  }

  /** The values as text: the log's JSON may read a number back as another boxed type. */
  private static Map<String, String> asText(Map<String, Object> params) {
    Map<String, String> text = new TreeMap<>();
    params.forEach((name, value) -> text.put(name, String.valueOf(value)));
    return text;
  }

  private static UsageException conflict(String path, String what) {
    return new UsageException("--output: " + path + " is a job of another ASHA search: " + what
        + "; re-run with the study and flags that wrote it to resume, or use another --output");
  }
}
