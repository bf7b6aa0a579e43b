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
 * TPE in batched rounds: round 0 is the first {@code roundSize} points of the study's
 * quasi-random (Sobol) sequence; round {@code k} fits a {@link TreeParzenEstimator} on every
 * result of rounds {@code < k} and proposes {@code roundSize} trials (fewer in the last round, to
 * stop at {@code maxTrials}), trial {@code i} from its own
 * random stream {@link TrialSeeds#forSearch}(seed, i). COMPLETED and STOPPED trials count with
 * their best metric value; FAILED and DIVERGED trials count as bad.
 */
public record TpeProposer(
    List<ParameterSpec> parameters, Map<String, Object> fixed, MetricSpec metric, long seed, int roundSize,
    int maxTrials)
    implements RoundProposer {

  public TpeProposer {
    parameters = List.copyOf(parameters);
    fixed = new TreeMap<>(fixed);
  }

  @Override
  public List<Trial> propose(int round, List<TrialResult> earlier) {
    List<SortedMap<String, Object>> points = new ArrayList<>();
    int count = Math.max(0, Math.min(roundSize, maxTrials - round * roundSize));
    if (round == 0) {
      points.addAll(Algorithm.QUASI_RANDOM.search().suggest(parameters, count, seed));
    } else if (count > 0) {
      TreeParzenEstimator model =
          TreeParzenEstimator.fit(parameters, observations(earlier), metric.goal());
      for (int j = 0; j < count; j++) {
        points.add(model.propose(TrialSeeds.forSearch(seed, round * roundSize + j)));
      }
    }
    List<Trial> trials = new ArrayList<>();
    for (int j = 0; j < points.size(); j++) {
      int index = round * roundSize + j;
      SortedMap<String, Object> params = new TreeMap<>(fixed);
      params.putAll(points.get(j));
      trials.add(new Trial(Trial.idOf(index), index, params, TrialSeeds.forTrial(seed, index)));
    }
    return trials;
  }

  private List<Observation> observations(List<TrialResult> results) {
    List<Observation> observations = new ArrayList<>();
    for (TrialResult r : results) {
      boolean finished = r.status() == TrialStatus.COMPLETED || r.status() == TrialStatus.STOPPED;
      observations.add(new Observation(r.trial(), r.params(), finished ? r.metric(metric.name()) : Double.NaN));
    }
    return observations;
  }
}
