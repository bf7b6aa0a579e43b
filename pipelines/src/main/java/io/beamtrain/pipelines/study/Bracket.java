package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A successive-halving bracket: {@code rungs.get(0).trials()} trials, starting at study trial
 * index {@code firstTrial}, cut by a factor {@code eta} at each rung while the budget grows by
 * {@code eta} (Jamieson and Talwalkar, "Non-stochastic best arm identification and
 * hyperparameter optimization", AISTATS 2016). The last rung trains up to the maximum budget.
 */
public record Bracket(int index, int firstTrial, int eta, List<Rung> rungs) implements Serializable {

  public Bracket {
    rungs = List.copyOf(rungs);
  }

  /**
   * The bracket with {@code trials} trials and {@code extraRungs + 1} rungs whose budgets are
   * {@code maxBudget / eta^(extraRungs - i)} (rounded, at least 1), so the last is exactly
   * {@code maxBudget}. Rung {@code i + 1} keeps the top {@code ceil(n_i / eta)} of rung {@code i}.
   */
  public static Bracket of(int index, int firstTrial, int trials, int extraRungs, int maxBudget, int eta) {
    List<Rung> rungs = new ArrayList<>();
    int n = trials;
    for (int i = 0; i <= extraRungs; i++) {
      int budget = (int) Math.max(1, Math.round(maxBudget / Math.pow(eta, extraRungs - i)));
      int promoted = i == extraRungs ? 0 : ceilDiv(n, eta);
      rungs.add(new Rung(i, n, budget, promoted));
      n = promoted;
    }
    return new Bracket(index, firstTrial, eta, rungs);
  }

  /** Trials entering the first rung. */
  public int trials() {
    return rungs.get(0).trials();
  }

  /** Training steps the bracket spends at most: every rung's trials up to its budget, minus what they already ran. */
  public long stepBudget() {
    long steps = 0;
    int previousBudget = 0;
    for (Rung rung : rungs) {
      steps += (long) rung.trials() * (rung.budget() - previousBudget);
      previousBudget = rung.budget();
    }
    return steps;
  }

  public static int ceilDiv(int n, int d) {
    return (n + d - 1) / d;
  }
}
