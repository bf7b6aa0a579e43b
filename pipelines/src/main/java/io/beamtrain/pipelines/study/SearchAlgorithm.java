package io.beamtrain.pipelines.study;

import java.util.List;
import java.util.SortedMap;

/**
 * Proposes the hyperparameters of every trial of a study up front. Implementations are pure
 * functions of their arguments (no clock, no global random state) and thread-safe.
 */
public interface SearchAlgorithm {

  /**
   * @param parameters validated parameter specs
   * @param maxTrials the number of trials, or null for the algorithm's natural count
   * @param seed the study seed
   * @return one map per trial (parameter name to value), trial 0 first
   */
  List<SortedMap<String, Object>> suggest(
      List<ParameterSpec> parameters, Integer maxTrials, long seed);

  /** {@code maxTrials}, or {@link StudySpec#DEFAULT_MAX_TRIALS} when absent. */
  static int trialCount(Integer maxTrials) {
    return maxTrials == null ? StudySpec.DEFAULT_MAX_TRIALS : maxTrials;
  }
}
