package io.beamtrain.trainer.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A hyperparameter of an experiment with its domain, TensorBoard's {@code HParamInfo}: either a
 * list of discrete values (strings, booleans or numbers, never mixed) or a closed interval of
 * numbers. The dashboard uses the domain for its filters and axis ranges. Immutable.
 *
 * @param name the name, as in the trials' {@code params}
 * @param type the type of the values
 * @param discreteValues the allowed values in display order, or null for an interval domain
 * @param min the interval's lower end, or null for a discrete domain
 * @param max the interval's upper end, or null for a discrete domain
 */
public record HParamsParameter(
    String name, HParamsDataType type, List<Object> discreteValues, Double min, Double max) {

  public HParamsParameter {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if ((discreteValues == null) == (min == null || max == null)) {
      throw new IllegalArgumentException(
          "hyperparameter '" + name + "': give either discrete values or an interval, not both");
    }
    if (discreteValues != null) {
      discreteValues = Collections.unmodifiableList(new ArrayList<>(discreteValues));
    }
  }

  /**
   * A discrete domain; the type follows the values (all booleans: BOOL, all numbers: FLOAT64, all
   * strings: STRING).
   *
   * @throws IllegalArgumentException when the list is empty, holds null, or mixes types
   */
  public static HParamsParameter discrete(String name, List<?> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("hyperparameter '" + name + "': no discrete values");
    }
    HParamsDataType type = null;
    for (Object value : values) {
      if (value == null) {
        throw new IllegalArgumentException("hyperparameter '" + name + "': null discrete value");
      }
      HParamsDataType valueType = HParamsDataType.of(value);
      if (type != null && type != valueType) {
        throw new IllegalArgumentException(
            "hyperparameter '" + name + "': discrete values mix types " + type + " and "
                + valueType + " (" + values + ")");
      }
      type = valueType;
    }
    return new HParamsParameter(name, type, new ArrayList<>(values), null, null);
  }

  /**
   * A closed interval of numbers.
   *
   * @throws IllegalArgumentException when an end is not finite or {@code min > max}
   */
  public static HParamsParameter interval(String name, double min, double max) {
    if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
      throw new IllegalArgumentException(
          "hyperparameter '" + name + "': bad interval [" + min + ", " + max + "]");
    }
    return new HParamsParameter(name, HParamsDataType.FLOAT64, null, min, max);
  }

  /** Whether the domain is an interval (else it is discrete). */
  public boolean isInterval() {
    return discreteValues == null;
  }
}
