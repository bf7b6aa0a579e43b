package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.Serializable;

/**
 * Checks a record's cells against the schema: every NUMERIC cell is a decimal number in the float
 * range or missing (see {@link DecimalText}), and the label is present. Normalises in place:
 * NUMERIC cells are trimmed and {@code NaN} becomes missing. Immutable and thread-safe.
 */
public final class RowValidator implements Serializable {

  /** Why a record failed the check. */
  public record Problem(RejectReason reason, String detail) {}

  private final String[] names;
  private final boolean[] numeric;
  private final int labelIndex;

  public RowValidator(DataSchema schema) {
    this.names = schema.columnNames().toArray(new String[0]);
    this.numeric = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      numeric[i] = schema.columns().get(i).type() == FeatureType.NUMERIC;
    }
    this.labelIndex = schema.labelIndex();
  }

  /**
   * Checks and normalises {@code values} (one per schema column, null = missing); returns null
   * when the row is good.
   */
  public Problem check(String[] values) {
    for (int i = 0; i < values.length; i++) {
      String value = values[i];
      if (value == null || !numeric[i]) {
        continue;
      }
      String trimmed = value.trim();
      if (trimmed.isEmpty() || DecimalText.isNaN(trimmed)) {
        values[i] = null;
      } else if (DecimalText.isDecimal(trimmed)) {
        values[i] = trimmed;
      } else {
        return new Problem(
            RejectReason.UNPARSABLE_NUMBER,
            "column '" + names[i] + "' is NUMERIC but holds '" + value + "'"
                + (DecimalText.isBeyondFloatRange(trimmed)
                    ? ", beyond the 32-bit float range (about 3.4e38)" : ""));
      }
    }
    if (values[labelIndex] == null || values[labelIndex].isBlank()) {
      return new Problem(
          RejectReason.MISSING_LABEL, "the label column '" + names[labelIndex] + "' is empty");
    }
    return null;
  }
}
