package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.TrialSeeds;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * TPE in batched rounds of {@code roundSize} trials (fewer in the last round, to stop at {@code
 * maxTrials}). The first {@link #startupTrials} trials are the study's quasi-random (Sobol)
 * points; every later trial of
 * round {@code k} comes from a {@link TreeParzenEstimator} fitted on every result of rounds {@code
 * < k}, trial {@code i} from its own random stream {@link TrialSeeds#forSearch}(seed, i). With
 * {@link TpeSettings#constantLiar} the round's earlier trials (pending: proposed together, not yet
 * trained) count as bad for its later ones, as a sequential search would see them running.
 * COMPLETED and STOPPED trials count with their best metric value; FAILED and DIVERGED trials
 * count as bad. A conditional space is modelled group by group ({@link ConditionalTpe}).
 *
 * <p>Warm start: {@code priors} (earlier studies' trials, {@code EarlierStudies}) join every
 * round's observations and replace as many of the quasi-random startup trials, so with enough of
 * them round 0 is already model-based.
 */
public record TpeProposer(
    List<ParameterSpec> parameters, Map<String, Object> fixed, MetricSpec metric, long seed, int roundSize,
    int maxTrials, TpeSettings settings, List<TrialResult> priors)
    implements RoundProposer {

  public TpeProposer {
    parameters = List.copyOf(parameters);
    fixed = new TreeMap<>(fixed);
    priors = priors == null ? List.of() : List.copyOf(priors);
  }

  public TpeProposer(
      List<ParameterSpec> parameters, Map<String, Object> fixed, MetricSpec metric, long seed, int roundSize,
      int maxTrials, TpeSettings settings) {
    this(parameters, fixed, metric, seed, roundSize, maxTrials, settings, List.of());
  }

  /** The same search, warm-started from {@code earlierTrials}. */
  public TpeProposer withPriors(List<TrialResult> earlierTrials) {
    return new TpeProposer(parameters, fixed, metric, seed, roundSize, maxTrials, settings, earlierTrials);
  }

  /** The startup trials left quasi-random once the warm start's trials stand in for the others. */
  int quasiRandomTrials() {
    return Math.max(0, startupTrials() - priors.size());
  }

  public TpeProposer(
      List<ParameterSpec> parameters, Map<String, Object> fixed, MetricSpec metric, long seed, int roundSize,
      int maxTrials) {
    this(parameters, fixed, metric, seed, roundSize, maxTrials, TpeSettings.DEFAULT);
  }

  /**
   * How many trials are quasi-random: {@link TpeSettings#startupTrials}, but at most half the
   * study (a default 8-trial study still gets a model for its second half) and at least the first
   * round.
   */
  int startupTrials() {
    return Math.min(maxTrials, Math.max(roundSize, Math.min(settings.startupTrials(), maxTrials / 2)));
  }

  @Override
  public List<Trial> propose(int round, List<TrialResult> earlier) {
    List<SortedMap<String, Object>> points = new ArrayList<>();
    int first = round * roundSize;
    int count = Math.max(0, Math.min(roundSize, maxTrials - first));
    int startup = quasiRandomTrials();
    List<SortedMap<String, Object>> sobol = first < startup
        ? Algorithm.QUASI_RANDOM.search().suggest(parameters, startup, seed)
        : List.of();
    ConditionalTpe model = null;
    for (int j = 0; j < count; j++) {
      int index = first + j;
      if (index < startup) {
        points.add(sobol.get(index));
        continue;
      }
      if (model == null || settings.constantLiar()) {
        List<Map<String, Object>> pending = settings.constantLiar() ? new ArrayList<>(points) : List.of();
        List<TrialResult> known = new ArrayList<>(priors);
        known.addAll(earlier);
        model = ConditionalTpe.fit(parameters, observations(known), pending, metric.goal(), settings);
      }
      points.add(model.propose(TrialSeeds.forSearch(seed, index)));
    }
    List<Trial> trials = new ArrayList<>();
    for (int j = 0; j < points.size(); j++) {
      int index = first + j;
      SortedMap<String, Object> params = new TreeMap<>(fixed);
      params.putAll(points.get(j));
      trials.add(new Trial(Trial.idOf(index), index, params, TrialSeeds.forTrial(seed, index)));
    }
    return trials;
  }

  private List<Observation> observations(List<TrialResult> results) {
    return observations(results, metric);
  }

  /**
   * What TPE learns from finished trials: COMPLETED and STOPPED count with their best {@code
   * metric}, FAILED and DIVERGED as bad (NaN); shared by the rounds and ASHA's warm start.
   */
  static List<Observation> observations(List<TrialResult> results, MetricSpec metric) {
    List<Observation> observations = new ArrayList<>();
    for (TrialResult r : results) {
      boolean finished = r.status() == TrialStatus.COMPLETED || r.status() == TrialStatus.STOPPED;
      observations.add(new Observation(r.trial(), r.params(), finished ? r.metric(metric.name()) : Double.NaN));
    }
    return observations;
  }
}
