package io.beamtrain.pipelines.study;

import java.util.ArrayList;
import java.util.List;

/**
 * The bracket plans of successive halving and Hyperband. Pure functions of their arguments.
 */
public final class Brackets {
  private Brackets() {}

  /**
   * The number of times the budget can grow by {@code eta} from {@code minBudget} without
   * exceeding {@code maxBudget}: Hyperband's {@code s_max = floor(log_eta(R / r))}.
   */
  public static int maxExtraRungs(int minBudget, int maxBudget, int eta) {
    int s = 0;
    long budget = minBudget;
    while (budget * eta <= maxBudget) {
      budget *= eta;
      s++;
    }
    return s;
  }

  /** Successive halving: all {@code trials} start at about {@code minBudget}; one bracket. */
  public static List<Bracket> successiveHalving(int trials, int minBudget, int maxBudget, int eta) {
    return List.of(Bracket.of(0, 0, trials, maxExtraRungs(minBudget, maxBudget, eta), maxBudget, eta));
  }

  /**
   * Hyperband (Li et al., "Hyperband: a novel bandit-based approach to hyperparameter
   * optimization", JMLR 2018): bracket {@code s = s_max, s_max - 1, ...} starts {@code
   * ceil((s_max + 1) / (s + 1) * eta^s)} trials at budget {@code maxBudget / eta^s}. The most
   * exploratory bracket comes first; {@code brackets} (at most {@code s_max + 1}) of them run.
   * Trial indices are consecutive across brackets.
   */
  public static List<Bracket> hyperband(int minBudget, int maxBudget, int eta, int brackets) {
    int sMax = maxExtraRungs(minBudget, maxBudget, eta);
    if (brackets < 1 || brackets > sMax + 1) {
      throw new IllegalArgumentException(
          "brackets must be between 1 and " + (sMax + 1) + " for eta " + eta + ", budgets "
              + minBudget + ".." + maxBudget + "; was " + brackets);
    }
    List<Bracket> plan = new ArrayList<>();
    int first = 0;
    for (int b = 0; b < brackets; b++) {
      int s = sMax - b;
      int n = (int) Math.ceil((sMax + 1.0) / (s + 1) * Math.pow(eta, s));
      plan.add(Bracket.of(b, first, n, s, maxBudget, eta));
      first += n;
    }
    return plan;
  }

  /** Trials of all brackets together. */
  public static int totalTrials(List<Bracket> plan) {
    return plan.stream().mapToInt(Bracket::trials).sum();
  }

  /** Steps of all brackets together (at most: stopped or failed trials spend fewer). */
  public static long totalSteps(List<Bracket> plan) {
    return plan.stream().mapToLong(Bracket::stepBudget).sum();
  }

  /** The rung budgets successive halving uses from {@code minBudget} to {@code maxBudget}. */
  public static List<Integer> ashaBudgets(int minBudget, int maxBudget, int eta) {
    Bracket plan = Bracket.of(0, 0, 1, maxExtraRungs(minBudget, maxBudget, eta), maxBudget, eta);
    return plan.rungs().stream().map(Rung::budget).toList();
  }

  /**
   * The steps of successive halving over rungs of these {@code budgets}, each rung {@code k + 1}
   * holding {@code floor(n_k / eta)} of {@code maxTrials}: ASHA's default step budget.
   */
  public static long plannedSteps(List<Integer> budgets, int eta, int maxTrials) {
    long steps = 0;
    long trials = maxTrials;
    int previous = 0;
    for (int budget : budgets) {
      steps += trials * (budget - previous);
      previous = budget;
      trials /= eta;
    }
    return steps;
  }
}
