package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.TrialSeeds;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where ASHA's new trials come from. {@link #random} takes the study's random trials in order;
 * {@link #tpe} proposes them from a Tree-structured Parzen Estimator fitted on the job log, the
 * way BOHB (Falkner et al., ICML 2018) feeds Hyperband: on the outcomes of the highest rung that
 * has at least {@code parameters + 2} finished jobs (all at that rung's budget, so comparable),
 * with every third trial still random so the model cannot shut a region out for good. Trial
 * {@code i} draws from its own random stream, so one worker's search is deterministic.
 */
public interface AshaSampler extends Serializable {

  /** The trial to start as the study's trial number {@code index}, given the log so far. */
  Trial propose(int index, JobLog.Snapshot log);

  /** The study's random trials, in order. */
  static AshaSampler random(List<Trial> trials) {
    return new RandomStarts(List.copyOf(trials));
  }

  /**
   * TPE proposals once the log has enough outcomes, else (and for every third trial) {@code
   * trials.get(index)}, whose fixed parameters every proposal keeps.
   */
  static AshaSampler tpe(List<Trial> trials, List<ParameterSpec> parameters, MetricSpec metric, long seed) {
    return tpe(trials, parameters, metric, seed, List.of());
  }

  /**
   * The same, warm-started: until a rung of the log has enough outcomes, the model is fitted on
   * {@code priors} (earlier studies' trials at their full budget) instead of starting random.
   */
  static AshaSampler tpe(
      List<Trial> trials, List<ParameterSpec> parameters, MetricSpec metric, long seed, List<TrialResult> priors) {
    return new TpeStarts(List.copyOf(trials), List.copyOf(parameters), metric, seed,
        List.copyOf(TpeProposer.observations(priors, metric)));
  }

  /** See {@link #random}. */
  record RandomStarts(List<Trial> trials) implements AshaSampler {
    @Override
    public Trial propose(int index, JobLog.Snapshot log) {
      return trials.get(index);
    }
  }

  /** See {@link #tpe}. */
  record TpeStarts(
      List<Trial> trials, List<ParameterSpec> parameters, MetricSpec metric, long seed, List<Observation> priors)
      implements AshaSampler {
    /** One trial in this many is drawn at random whatever the model says. */
    static final int RANDOM_EVERY = 3;

    @Override
    public Trial propose(int index, JobLog.Snapshot log) {
      Trial random = trials.get(index);
      List<Observation> observations = index % RANDOM_EVERY == RANDOM_EVERY - 1 ? List.of() : observations(log);
      if (observations.isEmpty() && index % RANDOM_EVERY != RANDOM_EVERY - 1 && priors.size() >= parameters.size() + 2) {
        observations = priors;
      }
      if (observations.isEmpty()) {
        return random;
      }
      SortedMap<String, Object> point = ConditionalTpe.fit(
              parameters, observations, List.of(), metric.goal(), TpeSettings.DEFAULT)
          .propose(TrialSeeds.forSearch(seed, index));
      // The random trial's searched values all go (an inactive one must not survive); its fixed ones stay.
      SortedMap<String, Object> params = new TreeMap<>(random.params());
      parameters.forEach(p -> params.remove(p.name()));
      params.putAll(point);
      return new Trial(random.id(), index, params, random.seed());
    }

    /** The outcomes of the highest rung with enough finished jobs; empty if none has. */
    List<Observation> observations(JobLog.Snapshot log) {
      int needed = parameters.size() + 2;
      int rungs = log.jobs().stream().mapToInt(AshaSchedule.Job::rung).max().orElse(-1) + 1;
      for (int rung = rungs - 1; rung >= 0; rung--) {
        List<Observation> observations = new ArrayList<>();
        for (AshaSchedule.Job job : log.jobs()) {
          AshaSchedule.Outcome outcome = log.outcomes().get(job.index());
          Trial trial = log.trials().get(job.trial());
          if (job.rung() == rung && outcome != null && trial != null) {
            observations.add(new Observation(job.trial(), trial.params(),
                outcome.isPromotable() ? outcome.metric() : Double.NaN));
          }
        }
        if (observations.size() >= needed) {
          return observations;
        }
      }
      return List.of();
    }
  }
}
