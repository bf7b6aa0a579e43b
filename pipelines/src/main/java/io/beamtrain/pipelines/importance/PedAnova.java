package io.beamtrain.pipelines.importance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hyperparameter importance by PED-ANOVA (Watanabe, Bansal and Hutter, "PED-ANOVA: Efficiently
 * Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023), the method
 * optuna-dashboard shows: a parameter is important when the values of the best trials are
 * distributed differently from the values of all trials. For each parameter the importance is the
 * Pearson divergence {@code sum_x p_all(x) (p_top(x) / p_all(x) - 1)^2} between the two
 * distributions ({@link ParamDensity}), where "top" are the best {@link #TOP_QUANTILE} of the
 * trials (Optuna's default {@code target_quantile}) and "all" the whole study (Optuna's default
 * {@code region_quantile} 1.0). The figures are then scaled to sum to 1, so they read as shares.
 *
 * <p>Why not fANOVA: it fits a random forest and decomposes its variance, which needs a forest
 * implementation and many trials to be stable; PED-ANOVA is closed-form, linear in the number of
 * trials, and meaningful for the dozens of trials a sweep has. Stateless and thread-safe.
 */
public final class PedAnova {
  /** The share of trials, best first, whose values are compared to all trials'. */
  public static final double TOP_QUANTILE = 0.1;

  /** Fewer trials with a score than this give no importances: the top set would be noise. */
  public static final int MIN_TRIALS = 5;

  private PedAnova() {}

  /**
   * The importance of each parameter that varies among {@code trials}, largest first, summing to
   * 1 (all 0 when no parameter separates the top trials); empty when fewer than {@link
   * #MIN_TRIALS} trials have a finite score. Trials without a value of a parameter do not count
   * for it.
   *
   * @param logScaled parameters whose values are compared on a log scale (learning rates)
   */
  public static Map<String, Double> importances(Collection<Observation> trials, Set<String> logScaled) {
    List<Observation> scored = new ArrayList<>();
    for (Observation trial : trials) {
      if (Double.isFinite(trial.score())) {
        scored.add(trial);
      }
    }
    if (scored.size() < MIN_TRIALS) {
      return Map.of();
    }
    scored.sort(Comparator.comparingDouble(Observation::score).reversed());
    int top = Math.max(2, (int) Math.ceil(TOP_QUANTILE * scored.size()));
    Set<String> names = new LinkedHashSet<>();
    scored.forEach(t -> names.addAll(t.params().keySet()));

    Map<String, Double> raw = new LinkedHashMap<>();
    for (String name : names) {
      List<Object> all = new ArrayList<>();
      List<Object> best = new ArrayList<>();
      for (int i = 0; i < scored.size(); i++) {
        Object value = scored.get(i).params().get(name);
        if (value != null) {
          all.add(value);
          if (i < top) {
            best.add(value);
          }
        }
      }
      ParamDensity support = ParamDensity.supportOf(all, logScaled.contains(name));
      if (support.isConstant() || best.isEmpty()) {
        continue;
      }
      raw.put(name, pearsonDivergence(support.probabilities(best), support.probabilities(all)));
    }
    return normalized(raw);
  }

  /** {@code sum_x q(x) (p(x) / q(x) - 1)^2}; 0 when the distributions are equal. */
  static double pearsonDivergence(double[] p, double[] q) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      if (q[i] > 0) {
        double ratio = p[i] / q[i] - 1;
        sum += q[i] * ratio * ratio;
      }
    }
    return sum;
  }

  private static Map<String, Double> normalized(Map<String, Double> raw) {
    double total = raw.values().stream().mapToDouble(Double::doubleValue).sum();
    Map<String, Double> out = new LinkedHashMap<>();
    raw.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), total > 0 ? e.getValue() / total : 0.0));
    return out;
  }
}
