package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.ConditionalSpace;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.trainer.data.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * TPE over a conditional search space by group decomposition (Optuna's {@code
 * group_decomposed_search_space}): the parameters are split into groups that apply in exactly the
 * same trials ({@link ConditionalSpace#groups}), each group gets its own {@link
 * TreeParzenEstimator} fitted only on the trials (and pending proposals) where the group was
 * active, and a proposal goes down the tree: the unconditional group first, then each group whose
 * condition the values chosen so far satisfy. So {@code momentum} under {@code optimizer: [sgd]}
 * is modelled on the SGD trials alone, never on a dummy value for the Adam ones.
 *
 * <p>An unconditional space is one group fitted on every trial with the proposal's own seed:
 * exactly {@link TreeParzenEstimator}'s proposals. Later groups draw from streams derived from the
 * seed and the group's index. Immutable and thread-safe.
 */
final class ConditionalTpe {
  /** Salt of a group's random stream (group 0 uses the proposal's seed unchanged). */
  private static final long GROUP_SALT = 0xC0DD17L;

  private final List<List<ParameterSpec>> groups;
  private final List<TreeParzenEstimator> models;

  private ConditionalTpe(List<List<ParameterSpec>> groups, List<TreeParzenEstimator> models) {
    this.groups = groups;
    this.models = models;
  }

  /**
   * Fits one estimator per group on the observations and pending proposals where the group is
   * active (all its parameters present).
   */
  static ConditionalTpe fit(
      List<ParameterSpec> parameters, List<Observation> observations, List<Map<String, Object>> pending,
      Goal goal, TpeSettings settings) {
    List<List<ParameterSpec>> groups = ConditionalSpace.of(parameters).groups();
    List<TreeParzenEstimator> models = new ArrayList<>();
    for (List<ParameterSpec> group : groups) {
      List<Observation> active = observations.stream().filter(o -> activeIn(group, o.params())).toList();
      List<Map<String, Object>> activePending = pending.stream().filter(p -> activeIn(group, p)).toList();
      models.add(TreeParzenEstimator.fit(group, active, activePending, goal, settings));
    }
    return new ConditionalTpe(groups, models);
  }

  /** One proposal from the stream {@code seed}: the active parameters only. */
  SortedMap<String, Object> propose(long seed) {
    SortedMap<String, Object> values = new TreeMap<>();
    for (int g = 0; g < groups.size(); g++) {
      List<ParameterSpec> group = groups.get(g);
      if (!ConditionalSpace.isActive(group.get(0), values)) {
        continue;
      }
      long groupSeed = g == 0 ? seed : Seeds.mix(seed ^ GROUP_SALT, g);
      values.putAll(models.get(g).propose(groupSeed));
    }
    return values;
  }

  private static boolean activeIn(List<ParameterSpec> group, Map<String, Object> params) {
    return group.stream().allMatch(p -> params.get(p.name()) != null);
  }
}
