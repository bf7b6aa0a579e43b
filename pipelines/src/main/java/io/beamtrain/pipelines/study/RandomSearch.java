package io.beamtrain.pipelines.study;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Random search (Bergstra and Bengio, "Random Search for Hyper-Parameter Optimization", JMLR
 * 2012): every parameter drawn independently, uniformly (log-uniformly on LOG scale) from its
 * range or list. Trial {@code i} draws from its own stream seeded by {@link
 * TrialSeeds#forSearch(long, int)}, so raising {@code maxTrials} keeps the earlier trials as they
 * were. In a conditional space every parameter is drawn and the inactive ones are then dropped
 * ({@link ConditionalSpace#prune}), so the active ones keep their draws whatever the tree.
 */
final class RandomSearch implements SearchAlgorithm {

  @Override
  public List<SortedMap<String, Object>> suggest(
      List<ParameterSpec> parameters, Integer maxTrials, long seed) {
    int count = SearchAlgorithm.trialCount(maxTrials);
    List<SortedMap<String, Object>> trials = new ArrayList<>(count);
    ConditionalSpace space = ConditionalSpace.of(parameters);
    for (int i = 0; i < count; i++) {
      SplittableRandom random = new SplittableRandom(TrialSeeds.forSearch(seed, i));
      SortedMap<String, Object> params = new TreeMap<>();
      for (ParameterSpec parameter : parameters) {
        params.put(parameter.name(), parameter.fromUnit(random.nextDouble()));
      }
      trials.add(space.prune(params));
    }
    return trials;
  }
}
