package io.beamtrain.pipelines.importance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The distribution of one hyperparameter's values in a set of trials, as probabilities on a
 * fixed set of points, so two sets' distributions can be compared point by point.
 *
 * <p>Continuous parameters: a Gaussian kernel density estimate on {@link #GRID_POINTS} evenly
 * spaced points of the observed range (in log space for log-scaled parameters), bandwidth by
 * Scott's rule with the robust spread {@code min(sd, IQR / 1.34)} (as Optuna's PED-ANOVA Parzen
 * estimator), floored at one grid step so one or two identical values still spread. Parameters
 * that are not numbers, or whole numbers with few distinct values (layer counts, a list of unit
 * sizes): the value
 * frequencies with one pseudo-count spread evenly over the values (add-one smoothing), so a value
 * no top trial drew still has some probability. Immutable.
 */
final class ParamDensity {
  /** Points of the continuous grid (Optuna's PED-ANOVA: 50). */
  static final int GRID_POINTS = 50;

  /** At most this many distinct whole numbers make a numeric parameter discrete. */
  static final int MAX_DISCRETE_VALUES = 12;

  /** The discrete values, or null for a continuous parameter. */
  private final List<Object> categories;
  /** The continuous grid's ends (log values when {@code log}). */
  private final double lo;
  private final double hi;
  private final boolean log;

  private ParamDensity(List<Object> categories, double lo, double hi, boolean log) {
    this.categories = categories;
    this.lo = lo;
    this.hi = hi;
    this.log = log;
  }

  /**
   * The support for {@code values} (all trials' values of the parameter, nulls removed): discrete
   * when they are not all numbers or are few distinct whole numbers, else the range of their
   * ({@code log}-transformed) numbers. {@code log} is ignored unless every value is positive.
   */
  static ParamDensity supportOf(List<Object> values, boolean log) {
    Map<String, Object> distinct = new LinkedHashMap<>();
    boolean numbers = true;
    boolean integers = true;
    for (Object value : values) {
      distinct.putIfAbsent(String.valueOf(value), value);
      numbers &= value instanceof Number n && Double.isFinite(n.doubleValue());
      integers &= numbers && ((Number) value).doubleValue() == Math.rint(((Number) value).doubleValue());
    }
    // Fractional numbers are continuous however few were drawn: as categories, a small sweep's
    // every distinct learning rate would be its own value and look important for that alone.
    if (!numbers || (integers && distinct.size() <= MAX_DISCRETE_VALUES)) {
      return new ParamDensity(new ArrayList<>(distinct.values()), Double.NaN, Double.NaN, false);
    }
    boolean useLog = log && values.stream().allMatch(v -> ((Number) v).doubleValue() > 0);
    double[] xs = values.stream().mapToDouble(v -> transform((Number) v, useLog)).toArray();
    double lo = Arrays.stream(xs).min().orElseThrow();
    double hi = Arrays.stream(xs).max().orElseThrow();
    return new ParamDensity(null, lo, hi, useLog);
  }

  private static double transform(Number value, boolean log) {
    return log ? Math.log(value.doubleValue()) : value.doubleValue();
  }

  /** Number of points the probabilities are given on. */
  int size() {
    return categories != null ? categories.size() : GRID_POINTS;
  }

  /** Whether the parameter takes one value only (it can explain nothing). */
  boolean isConstant() {
    return categories != null ? categories.size() < 2 : !(hi > lo);
  }

  /** The probabilities of {@code values} (a subset of the support's values) on the points. */
  double[] probabilities(List<Object> values) {
    return categories != null ? frequencies(values) : kernelDensity(values);
  }

  private double[] frequencies(List<Object> values) {
    int k = categories.size();
    double[] p = new double[k];
    Arrays.fill(p, 1.0 / k);
    for (Object value : values) {
      int index = indexOf(value);
      if (index >= 0) {
        p[index] += 1;
      }
    }
    double total = values.size() + 1.0;
    for (int i = 0; i < k; i++) {
      p[i] /= total;
    }
    return p;
  }

  private int indexOf(Object value) {
    String key = String.valueOf(value);
    for (int i = 0; i < categories.size(); i++) {
      if (String.valueOf(categories.get(i)).equals(key)) {
        return i;
      }
    }
    return -1;
  }

  private double[] kernelDensity(List<Object> values) {
    double[] xs = values.stream().mapToDouble(v -> transform((Number) v, log)).toArray();
    double step = (hi - lo) / (GRID_POINTS - 1);
    double h = Math.max(bandwidth(xs), step);
    double[] p = new double[GRID_POINTS];
    double total = 0;
    for (int g = 0; g < GRID_POINTS; g++) {
      double at = lo + g * step;
      double sum = 0;
      for (double x : xs) {
        double z = (at - x) / h;
        sum += Math.exp(-0.5 * z * z);
      }
      p[g] = sum;
      total += sum;
    }
    for (int g = 0; g < GRID_POINTS; g++) {
      p[g] /= total;
    }
    return p;
  }

  /** Scott's rule, {@code 1.059 * min(sd, IQR / 1.34) * n^(-1/5)}; 0 for fewer than two values. */
  static double bandwidth(double[] xs) {
    int n = xs.length;
    if (n < 2) {
      return 0;
    }
    double mean = Arrays.stream(xs).average().orElseThrow();
    double sd = Math.sqrt(Arrays.stream(xs).map(x -> (x - mean) * (x - mean)).sum() / (n - 1));
    double[] sorted = xs.clone();
    Arrays.sort(sorted);
    double iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
    double spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
    return 1.059 * spread * Math.pow(n, -0.2);
  }

  private static double quantile(double[] sorted, double q) {
    double position = q * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(sorted.length - 1, below + 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }
}
