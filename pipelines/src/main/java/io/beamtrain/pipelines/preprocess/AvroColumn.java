package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * A top-level field of an Avro record schema (an Avro file's, or a Parquet file's read as Avro) as
 * a table column: the feature type its declared type maps to, or why it cannot be one. The mapping
 * (the same for BigQuery's types, see docs/DESIGN.md):
 *
 * <ul>
 *   <li>{@code int}, {@code long}, {@code float}, {@code double}, {@code decimal}: NUMERIC.
 *   <li>{@code date}: NUMERIC, days since 1970-01-01; {@code time-*}: NUMERIC, seconds since
 *       midnight; {@code timestamp-*} and {@code local-timestamp-*}: NUMERIC, seconds since the
 *       epoch (a float holds them to about two minutes; derive finer features before export).
 *   <li>{@code boolean}: CATEGORICAL {@code true}/{@code false}, so a boolean label is a binary
 *       classification and a missing value keeps a slot of its own.
 *   <li>{@code string} (also {@code uuid}), {@code enum}: CATEGORICAL.
 *   <li>A union of {@code null} and one of these: that type, nullable.
 *   <li>Anything else ({@code array}, {@code map}, {@code record}, other unions, {@code bytes} and
 *       {@code fixed} without {@code decimal}, {@code duration}, {@code null}): not a column; the
 *       reason names the type, and the run fails naming the column unless it is {@code --ignore}d.
 * </ul>
 *
 * @param name the field's name
 * @param type the feature type, or null when the field is not supported
 * @param text how its values become cell text; null when not supported
 * @param scale a decimal's scale, else 0
 * @param unsupported why the field is not supported (its declared type), or null
 */
record AvroColumn(
    String name, FeatureType type, AvroValueText text, int scale, String unsupported) {

  boolean supported() {
    return unsupported == null;
  }

  /** The columns of a record schema, in field order. */
  static List<AvroColumn> of(Schema record) {
    List<AvroColumn> columns = new ArrayList<>();
    for (Schema.Field field : record.getFields()) {
      columns.add(of(field.name(), field.schema()));
    }
    return columns;
  }

  static AvroColumn of(String name, Schema declared) {
    Schema schema = declared;
    if (schema.getType() == Schema.Type.UNION) {
      List<Schema> branches =
          schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
      if (branches.size() != 1) {
        return unsupported(name, "a union " + declared + " (only [null, T] is supported)");
      }
      schema = branches.get(0);
    }
    LogicalType logical = schema.getLogicalType();
    if (logical instanceof LogicalTypes.Decimal decimal) {
      return new AvroColumn(
          name, FeatureType.NUMERIC, AvroValueText.DECIMAL, decimal.getScale(), null);
    }
    if (logical != null) {
      AvroValueText text = switch (logical.getName()) {
        case "date" -> AvroValueText.INTEGER;
        case "time-millis" -> AvroValueText.TIME_MILLIS;
        case "time-micros" -> AvroValueText.TIME_MICROS;
        case "timestamp-millis", "local-timestamp-millis" -> AvroValueText.TIMESTAMP_MILLIS;
        case "timestamp-micros", "local-timestamp-micros" -> AvroValueText.TIMESTAMP_MICROS;
        case "uuid" -> AvroValueText.STRING;
        default -> null;
      };
      if (text == null) {
        return unsupported(name, "of logical type " + logical.getName());
      }
      FeatureType type =
          text == AvroValueText.STRING ? FeatureType.CATEGORICAL : FeatureType.NUMERIC;
      return new AvroColumn(name, type, text, 0, null);
    }
    return switch (schema.getType()) {
      case INT, LONG -> numeric(name, AvroValueText.INTEGER);
      case FLOAT -> numeric(name, AvroValueText.FLOAT);
      case DOUBLE -> numeric(name, AvroValueText.DOUBLE);
      case BOOLEAN -> new AvroColumn(
          name, FeatureType.CATEGORICAL, AvroValueText.BOOLEAN, 0, null);
      case STRING, ENUM -> new AvroColumn(
          name, FeatureType.CATEGORICAL, AvroValueText.STRING, 0, null);
      case ARRAY -> unsupported(name, "an array");
      case MAP -> unsupported(name, "a map");
      case RECORD -> unsupported(name, "a record (nested fields)");
      default -> unsupported(name, "of type " + schema.getType().getName());
    };
  }

  private static AvroColumn numeric(String name, AvroValueText text) {
    return new AvroColumn(name, FeatureType.NUMERIC, text, 0, null);
  }

  private static AvroColumn unsupported(String name, String why) {
    return new AvroColumn(name, null, null, 0, why);
  }

  /**
   * This integer column read as a decimal of {@code scale}: a Parquet {@code DECIMAL} stored as
   * {@code INT32} or {@code INT64}, whose scale the Avro form of the schema does not carry.
   */
  AvroColumn asUnscaledDecimal(int scale) {
    if (text != AvroValueText.INTEGER) {
      throw new IllegalStateException(name + " is not an integer column: " + this);
    }
    return new AvroColumn(name, FeatureType.NUMERIC, AvroValueText.UNSCALED_DECIMAL, scale, null);
  }

  /** The text of this column's {@code value}, or null when it is null. */
  String cell(Object value) {
    return value == null ? null : text.text(value, scale);
  }
}
