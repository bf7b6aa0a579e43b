package io.beamtrain.pipelines.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Non-dominated sorting and crowding distance (Deb et al., "A fast and elitist multiobjective
 * genetic algorithm: NSGA-II", IEEE TEC 2002) over cost vectors, every component minimised. Rank 0
 * is the Pareto front, rank 1 the front of the rest, and so on; within a front a point's crowding
 * distance is the perimeter of the box its neighbours span, normalised per objective, infinite
 * for each objective's extremes, so a front is thinned from its most crowded parts first.
 * Stateless; O(M N^2) for N points of M objectives, which suits a study's trials.
 */
public final class ParetoRanking {
  private ParetoRanking() {}

  /** Whether {@code a} is no worse than {@code b} in every objective and better in one. */
  public static boolean dominates(double[] a, double[] b) {
    boolean better = false;
    for (int i = 0; i < a.length; i++) {
      if (a[i] > b[i]) {
        return false;
      }
      better |= a[i] < b[i];
    }
    return better;
  }

  /** Each point's non-dominated rank, 0 for the front. */
  public static int[] ranks(List<double[]> costs) {
    int n = costs.size();
    int[] dominatedBy = new int[n];
    List<List<Integer>> dominates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      dominates.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        if (dominates(costs.get(i), costs.get(j))) {
          dominates.get(i).add(j);
          dominatedBy[j]++;
        } else if (dominates(costs.get(j), costs.get(i))) {
          dominates.get(j).add(i);
          dominatedBy[i]++;
        }
      }
    }
    int[] rank = new int[n];
    List<Integer> front = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (dominatedBy[i] == 0) {
        front.add(i);
      }
    }
    int level = 0;
    while (!front.isEmpty()) {
      List<Integer> next = new ArrayList<>();
      for (int i : front) {
        rank[i] = level;
        for (int j : dominates.get(i)) {
          if (--dominatedBy[j] == 0) {
            next.add(j);
          }
        }
      }
      front = next;
      level++;
    }
    return rank;
  }

  /** Each point's crowding distance within its own front (of {@code ranks}). */
  public static double[] crowding(List<double[]> costs, int[] ranks) {
    int n = costs.size();
    double[] distance = new double[n];
    if (n == 0) {
      return distance;
    }
    int objectives = costs.get(0).length;
    int maxRank = Arrays.stream(ranks).max().orElse(0);
    for (int level = 0; level <= maxRank; level++) {
      List<Integer> front = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (ranks[i] == level) {
          front.add(i);
        }
      }
      for (int m = 0; m < objectives; m++) {
        int objective = m;
        front.sort(Comparator.comparingDouble(i -> costs.get(i)[objective]));
        double lo = costs.get(front.get(0))[m];
        double hi = costs.get(front.get(front.size() - 1))[m];
        distance[front.get(0)] = Double.POSITIVE_INFINITY;
        distance[front.get(front.size() - 1)] = Double.POSITIVE_INFINITY;
        if (hi <= lo) {
          continue;
        }
        for (int k = 1; k < front.size() - 1; k++) {
          distance[front.get(k)] +=
              (costs.get(front.get(k + 1))[m] - costs.get(front.get(k - 1))[m]) / (hi - lo);
        }
      }
    }
    return distance;
  }
}
