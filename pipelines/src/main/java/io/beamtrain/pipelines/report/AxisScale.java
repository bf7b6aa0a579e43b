package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Maps the values of one plot axis onto {@code [0, 1]} (0 = bottom or left) and says where its
 * ticks go. Implementations are immutable.
 */
sealed interface AxisScale permits LinearScale, LogScale, CategoricalScale {

  /** A tick: where it sits on the axis ({@code [0, 1]}) and its label. */
  record Tick(double fraction, String label) {}

  /** The value's place on the axis, NaN when the axis cannot show it (missing, wrong type). */
  double fraction(Object value);

  /** The ticks, from bottom to top. */
  List<Tick> ticks();

  /**
   * The right scale for a hyperparameter's values: numbers on a log axis when all are positive
   * and they span more than {@value LogScale#MIN_RATIO}x (learning rates, L2 weights), on a linear
   * axis otherwise; anything else (strings, booleans, lists, or a mix) on a categorical axis.
   * Nulls are ignored (they are drawn as "n/a").
   */
  static AxisScale forValues(Collection<?> values) {
    List<Double> numbers = new ArrayList<>();
    List<Object> present = new ArrayList<>();
    boolean allNumbers = true;
    for (Object value : values) {
      if (value == null) {
        continue;
      }
      present.add(value);
      if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
        numbers.add(n.doubleValue());
      } else {
        allNumbers = false;
      }
    }
    if (!allNumbers || numbers.isEmpty()) {
      return CategoricalScale.of(present);
    }
    double min = numbers.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = numbers.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    if (min > 0 && max / min > LogScale.MIN_RATIO) {
      return new LogScale(min, max);
    }
    boolean integers = numbers.stream().allMatch(v -> v == Math.rint(v));
    LinearScale scale = LinearScale.nice(min, max, 5);
    // Whole-number parameters (layers, units) get whole-number ticks: no "2.5 layers".
    return integers && scale.step() < 1 ? LinearScale.nice(min, max, 5, 1) : scale;
  }

  /**
   * The axis of a parameter whose study domain is known, covering the whole domain (and any value
   * outside it): a range on a log axis for {@code scale: LOG}, else linear (whole-number ticks for
   * INTEGER); a list of numbers as {@link #forValues}; a list of strings as categories in the
   * spec's order.
   */
  static AxisScale forDomain(StudyFile.Domain domain, Collection<?> observed) {
    List<Object> values = new ArrayList<>(observed);
    if (domain.isRange()) {
      values.add(domain.min());
      values.add(domain.max());
      List<Double> numbers = new ArrayList<>();
      for (Object value : values) {
        if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
          numbers.add(n.doubleValue());
        } else if (value != null) {
          return forValues(values);
        }
      }
      double min = numbers.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double max = numbers.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      if (domain.log() && min > 0) {
        return new LogScale(min, max);
      }
      return LinearScale.nice(min, max, 5, domain.isInteger() ? 1 : 0);
    }
    if (domain.values() == null || domain.values().isEmpty()) {
      return forValues(values);
    }
    List<Object> choicesFirst = new ArrayList<>(domain.values());
    choicesFirst.addAll(observed);
    if (domain.values().stream().allMatch(v -> v instanceof Number)) {
      return forValues(choicesFirst);
    }
    return CategoricalScale.inOrder(choicesFirst);
  }

  /**
   * The axis of hyperparameter {@code name} in every view of {@code snapshot}: from the study's
   * domain when study.json has it ({@link #forDomain}), else from the trials' values.
   */
  static AxisScale forParam(SweepSnapshot snapshot, String name) {
    List<Object> values = new ArrayList<>();
    snapshot.trials().forEach(t -> values.add(t.params().get(name)));
    StudyFile.Domain domain = snapshot.study().domains().get(name);
    return domain == null ? forValues(values) : forDomain(domain, values);
  }

  /** The value of {@code o} as a finite double, or NaN. */
  static double asNumber(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    return Double.NaN;
  }
}
