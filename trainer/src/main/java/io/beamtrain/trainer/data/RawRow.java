package io.beamtrain.trainer.data;

import java.util.Arrays;

/**
 * One row of raw (untransformed) values in the feature order of a {@link TransformSpec}: a NUMERIC
 * feature at position {@code i} has {@code number(i)} (NaN when missing), a CATEGORICAL one has
 * {@code string(i)} ({@code ""} when missing). The label is a class string for classification or
 * a float target for regression. Immutable once built; the arrays are not copied, so callers must
 * not change them afterwards.
 */
public final class RawRow {
  private final float[] numbers;
  private final String[] strings;
  private final String labelClass;
  private final float labelValue;

  private RawRow(float[] numbers, String[] strings, String labelClass, float labelValue) {
    if (numbers.length != strings.length) {
      throw new IllegalArgumentException(
          "numbers and strings must both have one slot per feature, got "
              + numbers.length
              + " and "
              + strings.length);
    }
    this.numbers = numbers;
    this.strings = strings;
    this.labelClass = labelClass;
    this.labelValue = labelValue;
  }

  /** A row with a class label; unused slots of either array are ignored. */
  public static RawRow classified(float[] numbers, String[] strings, String labelClass) {
    return new RawRow(numbers, strings, labelClass, Float.NaN);
  }

  /** A row with a regression target. */
  public static RawRow regression(float[] numbers, String[] strings, float target) {
    return new RawRow(numbers, strings, null, target);
  }

  public int size() {
    return numbers.length;
  }

  /** The value of NUMERIC feature {@code i}; NaN when missing. */
  public float number(int i) {
    return numbers[i];
  }

  /** The value of CATEGORICAL feature {@code i}; {@code ""} when missing. */
  public String string(int i) {
    return strings[i];
  }

  /** The class string of a classification row; null for regression. */
  public String labelClass() {
    return labelClass;
  }

  /** The target of a regression row; NaN for classification. */
  public float labelValue() {
    return labelValue;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRow r
        && Arrays.equals(numbers, r.numbers)
        && Arrays.equals(strings, r.strings)
        && java.util.Objects.equals(labelClass, r.labelClass)
        && Float.compare(labelValue, r.labelValue) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(numbers) + Arrays.hashCode(strings);
  }

  @Override
  public String toString() {
    return "RawRow"
        + Arrays.toString(numbers)
        + Arrays.toString(strings)
        + (labelClass != null ? " label=" + labelClass : " target=" + labelValue);
  }
}
