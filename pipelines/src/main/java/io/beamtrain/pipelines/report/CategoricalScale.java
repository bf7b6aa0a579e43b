package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * An axis of distinct values (optimizers, activations, booleans), evenly spaced with half a step
 * of margin at both ends. Values are sorted numerically when they all read as numbers, else as
 * text, so the order does not depend on which trial came first.
 *
 * @param labels the distinct values as shown, bottom to top
 */
record CategoricalScale(List<String> labels) implements AxisScale {

  CategoricalScale {
    labels = List.copyOf(labels);
  }

  static CategoricalScale of(Collection<?> values) {
    LinkedHashSet<String> distinct = new LinkedHashSet<>();
    for (Object value : values) {
      if (value != null) {
        distinct.add(Format.value(value));
      }
    }
    List<String> sorted = new ArrayList<>(distinct);
    boolean numeric = sorted.stream().allMatch(CategoricalScale::isNumber);
    sorted.sort(numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder());
    return new CategoricalScale(sorted);
  }

  /** The distinct values in the order given (a study's list of choices), first at the bottom. */
  static CategoricalScale inOrder(Collection<?> values) {
    LinkedHashSet<String> distinct = new LinkedHashSet<>();
    for (Object value : values) {
      if (value != null) {
        distinct.add(Format.value(value));
      }
    }
    return new CategoricalScale(new ArrayList<>(distinct));
  }

  @Override
  public double fraction(Object value) {
    if (value == null) {
      return Double.NaN;
    }
    int index = labels.indexOf(Format.value(value));
    return index < 0 ? Double.NaN : (index + 0.5) / labels.size();
  }

  @Override
  public List<Tick> ticks() {
    List<Tick> ticks = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      ticks.add(new Tick((i + 0.5) / labels.size(), labels.get(i)));
    }
    return ticks;
  }

  private static boolean isNumber(String text) {
    try {
      Double.parseDouble(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
