package io.beamtrain.pipelines.study;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Grid search: the cartesian product of every parameter's grid values, enumerated in parameter
 * order with the last parameter varying fastest (like {@code itertools.product}). List parameters
 * contribute their values; INTEGER ranges every integer (or {@code gridPoints} evenly spaced
 * ones); DOUBLE ranges {@code gridPoints} evenly spaced values, geometrically on LOG scale. With
 * {@code maxTrials} smaller than the grid, the first {@code maxTrials} combinations run. The seed
 * does not affect the grid (only the trials' training seeds).
 */
final class GridSearch implements SearchAlgorithm {

  @Override
  public List<SortedMap<String, Object>> suggest(
      List<ParameterSpec> parameters, Integer maxTrials, long seed) {
    List<List<Object>> axes = new ArrayList<>();
    for (ParameterSpec parameter : parameters) {
      axes.add(gridValues(parameter));
    }
    long size = gridSize(parameters);
    int count = (int) (maxTrials == null ? size : Math.min(size, maxTrials));
    List<SortedMap<String, Object>> trials = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      SortedMap<String, Object> params = new TreeMap<>();
      int rest = i;
      for (int d = axes.size() - 1; d >= 0; d--) {
        List<Object> axis = axes.get(d);
        params.put(parameters.get(d).name(), axis.get(rest % axis.size()));
        rest /= axis.size();
      }
      trials.add(params);
    }
    return trials;
  }

  /** The number of grid combinations (1 for a study without parameters). */
  static long gridSize(List<ParameterSpec> parameters) {
    long size = 1;
    for (ParameterSpec parameter : parameters) {
      size = Math.multiplyExact(size, gridValues(parameter).size());
    }
    return size;
  }

  /** The values a grid takes from one parameter, deduplicated, in increasing order for ranges. */
  static List<Object> gridValues(ParameterSpec p) {
    return switch (p.type()) {
      case DISCRETE, CATEGORICAL -> p.values();
      case INTEGER -> integerValues(p);
      case DOUBLE -> {
        List<Object> values = new ArrayList<>();
        for (double x : spaced(p, p.gridPoints())) {
          values.add(x);
        }
        yield values;
      }
    };
  }

  private static List<Object> integerValues(ParameterSpec p) {
    int lo = (int) Math.round(p.min());
    int hi = (int) Math.round(p.max());
    Set<Object> values = new LinkedHashSet<>();
    if (p.gridPoints() == null) {
      for (int v = lo; v <= hi; v++) {
        values.add(v);
      }
    } else {
      for (double x : spaced(p, p.gridPoints())) {
        values.add((int) Math.round(x));
      }
    }
    return List.copyOf(values);
  }

  private static double[] spaced(ParameterSpec p, int points) {
    double[] out = new double[points];
    boolean log = p.scale() == Scale.LOG;
    double lo = log ? Math.log(p.min()) : p.min();
    double hi = log ? Math.log(p.max()) : p.max();
    for (int k = 0; k < points; k++) {
      double t = points == 1 ? 0.5 : (double) k / (points - 1);
      double x = lo + t * (hi - lo);
      out[k] = log ? Math.exp(x) : x;
    }
    // Pin the ends exactly so exp(log(min)) rounding never leaves the declared range.
    if (points > 1) {
      out[0] = p.min();
      out[points - 1] = p.max();
    }
    return out;
  }
}
