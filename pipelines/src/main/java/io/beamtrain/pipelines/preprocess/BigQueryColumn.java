package io.beamtrain.pipelines.preprocess;

import com.google.api.services.bigquery.model.TableFieldSchema;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.util.Locale;

/**
 * A column of a BigQuery table (or query result) as a feature: the type its schema declares maps
 * to the feature type the same field gets when read through the Storage Read API as Avro ({@link
 * AvroColumn}):
 *
 * <ul>
 *   <li>{@code INT64}/{@code INTEGER}, {@code FLOAT64}/{@code FLOAT}, {@code NUMERIC}, {@code
 *       BIGNUMERIC}: NUMERIC.
 *   <li>{@code DATE}: NUMERIC, days since 1970-01-01; {@code TIME}: seconds since midnight; {@code
 *       TIMESTAMP}: seconds since the epoch.
 *   <li>{@code BOOL}/{@code BOOLEAN}: CATEGORICAL {@code true}/{@code false}; {@code STRING}:
 *       CATEGORICAL.
 *   <li>Not a feature, named in the error: mode {@code REPEATED} (an array), {@code
 *       STRUCT}/{@code RECORD}, {@code DATETIME} (no time zone: cast it to TIMESTAMP), {@code
 *       BYTES}, {@code GEOGRAPHY}, {@code JSON}, {@code INTERVAL}, {@code RANGE}.
 * </ul>
 */
public final class BigQueryColumn {
  private BigQueryColumn() {}

  /** The feature type of {@code field}, or null when it cannot be a feature (see {@link #why}). */
  static FeatureType typeOf(TableFieldSchema field) {
    if (why(field) != null) {
      return null;
    }
    return switch (type(field)) {
      case "BOOL", "BOOLEAN", "STRING" -> FeatureType.CATEGORICAL;
      default -> FeatureType.NUMERIC;
    };
  }

  /** Why {@code field} cannot be a feature, or null when it can. */
  public static String why(TableFieldSchema field) {
    if ("REPEATED".equalsIgnoreCase(field.getMode())) {
      return "REPEATED (an array)";
    }
    return switch (type(field)) {
      case "INT64", "INTEGER", "FLOAT64", "FLOAT", "NUMERIC", "BIGNUMERIC", "DECIMAL",
          "BIGDECIMAL", "DATE", "TIME", "TIMESTAMP", "BOOL", "BOOLEAN", "STRING" -> null;
      case "STRUCT", "RECORD" -> "a STRUCT (nested fields)";
      case "DATETIME" -> "of type DATETIME (no time zone; CAST it AS TIMESTAMP)";
      default -> "of type " + type(field);
    };
  }

  private static String type(TableFieldSchema field) {
    return field.getType() == null ? "" : field.getType().toUpperCase(Locale.ROOT);
  }
}
