package io.beamtrain.pipelines.preprocess;

import java.util.Arrays;

/**
 * One accepted input row: the raw text of each schema column, in {@link DataSchema#columns()}
 * order, {@code null} where the cell is missing. NUMERIC cells are known to parse as finite numbers
 * and the label is present (that is what "accepted" means).
 *
 * <p>Immutable by contract: the array is owned by the row and never modified after construction
 * (Beam's DirectRunner checks this).
 */
public final class ParsedRow {
  private final String[] values;

  private ParsedRow(String[] values) {
    this.values = values;
  }

  /** Wraps {@code values} without copying; the caller hands the array over. */
  public static ParsedRow wrap(String[] values) {
    return new ParsedRow(values);
  }

  public static ParsedRow of(String... values) {
    return new ParsedRow(values.clone());
  }

  public int size() {
    return values.length;
  }

  /** The raw text of column {@code index}, or null when missing. */
  public String get(int index) {
    return values[index];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParsedRow other && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
