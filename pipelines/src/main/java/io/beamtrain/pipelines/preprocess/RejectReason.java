package io.beamtrain.pipelines.preprocess;

/**
 * Why an input row was rejected. The category is counted in {@code stats.json}; the detail message
 * of a {@link RejectedRow} says what exactly was wrong (column, value, expected count).
 */
public enum RejectReason {
  /** A CSV record with more or fewer cells than the file's header. */
  WRONG_COLUMN_COUNT,
  /** A CSV record whose quotes do not follow RFC 4180. */
  BAD_QUOTING,
  /** A JSON Lines line that is not one JSON object of scalar values. */
  INVALID_JSON,
  /** A record with bytes that are not valid UTF-8 (the detail gives the byte offset). */
  INVALID_ENCODING,
  /**
   * A NUMERIC cell that is not a decimal number in the 32-bit float range: text, {@code inf},
   * {@code 1e400} (see {@link DecimalText}).
   */
  UNPARSABLE_NUMBER,
  /** The label cell is empty or absent. */
  MISSING_LABEL
}
