package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.pareto.ParetoRanking;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.trainer.TrialResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Orders trials for a multi-objective study the way NSGA-II's selection does, with Deb's
 * constrained domination: trials with every objective (COMPLETED or STOPPED, finite values) before
 * the rest; among them feasible ones before infeasible ones, these by how far they break the
 * constraints; feasible ones by non-dominated rank, then by crowding distance (the less crowded
 * first), then by trial id, so the order never depends on the order results arrive in. The same
 * order picks NSGA-II's parents and the trials a rung promotes. Serializable for Beam DoFns.
 */
public record ParetoOrder(StudyObjectives objectives) implements Serializable {

  /** {@code results} best first (a new list). */
  public List<TrialResult> sort(List<TrialResult> results) {
    List<TrialResult> feasible = new ArrayList<>();
    List<TrialResult> infeasible = new ArrayList<>();
    List<TrialResult> incomplete = new ArrayList<>();
    for (TrialResult r : results) {
      if (!objectives.isComplete(r)) {
        incomplete.add(r);
      } else if (objectives.isFeasible(r)) {
        feasible.add(r);
      } else {
        infeasible.add(r);
      }
    }
    List<double[]> costs = feasible.stream().map(objectives::costs).toList();
    int[] ranks = ParetoRanking.ranks(costs);
    double[] crowding = ParetoRanking.crowding(costs, ranks);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < feasible.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.<Integer>comparingInt(i -> ranks[i])
        .thenComparing(i -> -crowding[i])
        .thenComparing(i -> feasible.get(i).trial()));
    List<TrialResult> sorted = new ArrayList<>();
    order.forEach(i -> sorted.add(feasible.get(i)));
    infeasible.sort(Comparator.<TrialResult>comparingDouble(objectives::violation).thenComparing(TrialResult::trial));
    sorted.addAll(infeasible);
    incomplete.sort(Comparator.comparing(TrialResult::trial));
    sorted.addAll(incomplete);
    return sorted;
  }

  /** The Pareto front: the feasible trials with every objective that no other such trial dominates, by trial id. */
  public List<TrialResult> front(List<TrialResult> results) {
    List<TrialResult> candidates = results.stream()
        .filter(r -> objectives.isComplete(r) && objectives.isFeasible(r)).toList();
    List<double[]> costs = candidates.stream().map(objectives::costs).toList();
    int[] ranks = ParetoRanking.ranks(costs);
    List<TrialResult> front = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (ranks[i] == 0) {
        front.add(candidates.get(i));
      }
    }
    front.sort(Comparator.comparing(TrialResult::trial));
    return front;
  }
}
