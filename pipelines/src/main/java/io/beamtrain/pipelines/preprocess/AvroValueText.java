package io.beamtrain.pipelines.preprocess;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import org.apache.avro.generic.GenericFixed;

/**
 * How a value of an Avro (or Parquet, read through its Avro schema) column becomes the cell text
 * that CSV would have held, so one validator, analyzer and encoder serve every format. Numbers are
 * written exactly ({@code Float.toString} is the shortest text that reads back as the same float);
 * a {@code NaN} becomes {@code NaN} (a missing value) and an infinity {@code Infinity} (rejected as
 * {@link RejectReason#UNPARSABLE_NUMBER}), as in CSV. Dates and times become numbers: days since
 * 1970-01-01, seconds since midnight, seconds since the epoch (UTC).
 */
enum AvroValueText {
  /** {@code int} and {@code long}; {@code date} (the days since the epoch are the value). */
  INTEGER,
  FLOAT,
  DOUBLE,
  /** {@code boolean}: {@code true} or {@code false}, a CATEGORICAL value. */
  BOOLEAN,
  /** {@code string} (with or without {@code uuid}) and {@code enum}: the text or symbol. */
  STRING,
  /** The {@code decimal} logical type over {@code bytes} or {@code fixed}, of the given scale. */
  DECIMAL,
  /**
   * A Parquet {@code DECIMAL} stored as {@code INT32} or {@code INT64} (what Spark and pyarrow
   * write for up to 18 digits): its Avro form is a plain {@code int} or {@code long} holding the
   * unscaled value, so the scale comes from the Parquet schema.
   */
  UNSCALED_DECIMAL,
  /** {@code time-millis}: seconds since midnight. */
  TIME_MILLIS,
  /** {@code time-micros}: seconds since midnight. */
  TIME_MICROS,
  /** {@code timestamp-millis}, {@code local-timestamp-millis}: seconds since the epoch. */
  TIMESTAMP_MILLIS,
  /** {@code timestamp-micros}, {@code local-timestamp-micros}: seconds since the epoch. */
  TIMESTAMP_MICROS;

  /** The cell text of {@code value} (not null); {@code scale} is a DECIMAL's. */
  String text(Object value, int scale) {
    return switch (this) {
      case INTEGER -> value.toString();
      case FLOAT -> Float.toString((Float) value);
      case DOUBLE -> Double.toString((Double) value);
      case BOOLEAN, STRING -> value.toString();
      case DECIMAL -> new BigDecimal(new BigInteger(unscaledBytes(value)), scale).toString();
      case UNSCALED_DECIMAL -> BigDecimal.valueOf(((Number) value).longValue(), scale).toString();
      case TIME_MILLIS, TIMESTAMP_MILLIS ->
          BigDecimal.valueOf(((Number) value).longValue(), 3).toPlainString();
      case TIME_MICROS, TIMESTAMP_MICROS ->
          BigDecimal.valueOf(((Number) value).longValue(), 6).toPlainString();
    };
  }

  private static byte[] unscaledBytes(Object value) {
    if (value instanceof GenericFixed fixed) {
      return fixed.bytes();
    }
    ByteBuffer buffer = ((ByteBuffer) value).duplicate();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
