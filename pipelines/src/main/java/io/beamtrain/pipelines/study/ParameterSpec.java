package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One search parameter of a study. Range types ({@code DOUBLE}, {@code INTEGER}) use {@code min},
 * {@code max}, {@code scale} and, for {@link Algorithm#GRID}, {@code gridPoints}; list types
 * ({@code DISCRETE}, {@code CATEGORICAL}) use {@code values}. Fields a type does not use are null.
 * Semantic checks (min &le; max, LOG with min &gt; 0, ...) are {@link StudyValidator}'s job, so
 * this record can hold a spec that is about to be rejected with a precise message.
 *
 * @param name hyperparameter name passed to the trainer
 * @param type the kind of parameter
 * @param min smallest value (range types)
 * @param max largest value, inclusive (range types)
 * @param scale LINEAR (default) or LOG (range types)
 * @param values the choices in spec order: {@link Number}s for DISCRETE, {@link String}s for
 *     CATEGORICAL
 * @param gridPoints how many evenly spaced values a GRID search takes from the range; null for
 *     INTEGER means every integer in the range
 * @param when the condition under which the parameter applies (a conditional search space): parent
 *     parameter name to the parent values that activate it, all entries required; empty = always.
 *     An inactive parameter is absent from a trial's params ({@link ConditionalSpace#prune})
 */
public record ParameterSpec(
    String name,
    ParameterType type,
    Double min,
    Double max,
    Scale scale,
    List<Object> values,
    Integer gridPoints,
    Map<String, List<Object>> when)
    implements Serializable {

  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    scale = scale == null ? Scale.LINEAR : scale;
    values = values == null ? null : List.copyOf(values);
    TreeMap<String, List<Object>> sorted = new TreeMap<>();
    if (when != null) {
      when.forEach((parent, parentValues) -> sorted.put(parent, List.copyOf(parentValues)));
    }
    when = Collections.unmodifiableSortedMap(sorted);
  }

  /** An unconditional parameter (applies to every trial). */
  public ParameterSpec(
      String name, ParameterType type, Double min, Double max, Scale scale, List<Object> values,
      Integer gridPoints) {
    this(name, type, min, max, scale, values, gridPoints, null);
  }

  /** A copy that applies only when {@code parent} takes one of {@code parentValues} (added to any other condition). */
  public ParameterSpec when(String parent, Object... parentValues) {
    Map<String, List<Object>> conditions = new TreeMap<>(when);
    conditions.put(parent, List.of(parentValues));
    return new ParameterSpec(name, type, min, max, scale, values, gridPoints, conditions);
  }

  /** Whether the parameter depends on another one's value. */
  public boolean isConditional() {
    return !when.isEmpty();
  }

  public static ParameterSpec doubleRange(String name, double min, double max, Scale scale) {
    return new ParameterSpec(name, ParameterType.DOUBLE, min, max, scale, null, null);
  }

  public static ParameterSpec integerRange(String name, int min, int max) {
    return new ParameterSpec(name, ParameterType.INTEGER, (double) min, (double) max, null, null, null);
  }

  public static ParameterSpec discrete(String name, Number... values) {
    return new ParameterSpec(name, ParameterType.DISCRETE, null, null, null, List.of(values), null);
  }

  public static ParameterSpec categorical(String name, String... values) {
    return new ParameterSpec(
        name, ParameterType.CATEGORICAL, null, null, null, List.of((Object[]) values), null);
  }

  public ParameterSpec withGridPoints(int points) {
    return new ParameterSpec(name, type, min, max, scale, values, points, when);
  }

  /**
   * Maps a point {@code u} of the unit interval onto this parameter's values: the inverse CDF of
   * the uniform (LINEAR) or log-uniform (LOG) distribution over the range, or an equal-width bucket
   * of the value list. Used by the random and quasi-random searches, so both sample identically
   * given the same {@code u}.
   */
  public Object fromUnit(double u) {
    double clamped = Math.min(Math.max(u, 0.0), Math.nextDown(1.0));
    return switch (type) {
      case DOUBLE -> scale == Scale.LOG
          ? Math.exp(Math.log(min) + clamped * (Math.log(max) - Math.log(min)))
          : min + clamped * (max - min);
      case INTEGER -> integerFromUnit(clamped);
      case DISCRETE, CATEGORICAL -> values.get((int) Math.floor(clamped * values.size()));
    };
  }

  private Integer integerFromUnit(double u) {
    int lo = (int) Math.round(min);
    int hi = (int) Math.round(max);
    if (scale == Scale.LOG) {
      // Log-uniform over [lo, hi + 1) so every integer keeps a non-empty bucket.
      double x = Math.exp(Math.log(lo) + u * (Math.log(hi + 1.0) - Math.log(lo)));
      return Math.min(hi, (int) Math.floor(x));
    }
    return Math.min(hi, lo + (int) Math.floor(u * (hi - lo + 1.0)));
  }
}
