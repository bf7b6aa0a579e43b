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
 *
 * <p>A conditional space is a tree, not a product: the combinations are enumerated parents first
 * ({@link ConditionalSpace#order}), a parameter inactive under its parents' values taking no
 * value (it is absent, one branch) instead of one per value, so no two trials differ only in a
 * parameter that does not apply.
 */
final class GridSearch implements SearchAlgorithm {

  @Override
  public List<SortedMap<String, Object>> suggest(
      List<ParameterSpec> parameters, Integer maxTrials, long seed) {
    ConditionalSpace space = ConditionalSpace.of(parameters);
    if (space.isConditional()) {
      List<SortedMap<String, Object>> trials = new ArrayList<>();
      enumerate(space.order(), 0, new TreeMap<>(), maxTrials == null ? Integer.MAX_VALUE : maxTrials, trials);
      return trials;
    }
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

  /**
   * Appends the tree's combinations below {@code assigned} (parameters {@code < d} of {@code order}
   * decided), last parameter fastest, until {@code out} holds {@code limit}.
   */
  private static void enumerate(
      List<ParameterSpec> order, int d, SortedMap<String, Object> assigned, int limit,
      List<SortedMap<String, Object>> out) {
    if (out.size() >= limit) {
      return;
    }
    if (d == order.size()) {
      out.add(new TreeMap<>(assigned));
      return;
    }
    ParameterSpec p = order.get(d);
    if (!ConditionalSpace.isActive(p, assigned)) {
      enumerate(order, d + 1, assigned, limit, out);
      return;
    }
    for (Object value : gridValues(p)) {
      assigned.put(p.name(), value);
      enumerate(order, d + 1, assigned, limit, out);
      assigned.remove(p.name());
    }
  }

  /**
   * The number of grid combinations (1 for a study without parameters); for a conditional space
   * the leaves of its tree, counted up to {@link StudyValidator#MAX_TRIALS_LIMIT} + 1.
   */
  static long gridSize(List<ParameterSpec> parameters) {
    ConditionalSpace space = ConditionalSpace.of(parameters);
    if (space.isConditional()) {
      List<SortedMap<String, Object>> leaves = new ArrayList<>();
      enumerate(space.order(), 0, new TreeMap<>(), StudyValidator.MAX_TRIALS_LIMIT + 1, leaves);
      return leaves.size();
    }
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
