package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Infers a {@link DataSchema} from a sample of the input, predictably and with simple rules (like
 * BigQuery's schema auto-detection, which also reads a leading sample):
 *
 * <ol>
 *   <li>The columns are the input's columns in input order: a CSV file's header, or the JSON Lines
 *       fields in first-seen order.
 *   <li>A column is NUMERIC when the sample has at least one value in it and every value is a
 *       finite decimal number ({@link DecimalText}; {@code NaN} and empty cells are missing);
 *       otherwise it is CATEGORICAL. Integer codes stay NUMERIC: declare them CATEGORICAL in a
 *       schema file if they are ids.
 *   <li>The label follows the same rule, with one exception: a NUMERIC label whose sampled values
 *       are all integers and take at most two distinct values ({@code 0}/{@code 1}, {@code
 *       1}/{@code 2}) is a class label and becomes CATEGORICAL.
 *   <li>The task is left open: a NUMERIC label means REGRESSION, a CATEGORICAL one
 *       BINARY_CLASSIFICATION when the full data has exactly two classes and
 *       MULTICLASS_CLASSIFICATION when it has more (decided after the full pass).
 * </ol>
 *
 * <p>Rows beyond the sample that break a NUMERIC column's type are rejected as unparsable
 * numbers; the printed schema can be saved, edited and passed back with {@code --schema}.
 */
public final class SchemaInference {
  /** How many leading rows of the input the inference reads. */
  public static final int SAMPLE_ROWS = 1000;

  private SchemaInference() {}

  /**
   * Infers the schema of {@code columns} from sampled {@code rows} (each one value per column,
   * null = missing; shorter rows are padded with missing values).
   *
   * @param source names the sampled input in error messages
   */
  public static DataSchema infer(
      List<String> columns, List<String[]> rows, String label, String source) {
    int labelIndex = columns.indexOf(label);
    if (labelIndex < 0) {
      throw new IllegalArgumentException(
          "--label=" + label + " is not a column of " + source + "; columns: " + columns);
    }
    List<DataSchema.Column> inferred = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      FeatureType type = isNumeric(rows, i) ? FeatureType.NUMERIC : FeatureType.CATEGORICAL;
      if (i == labelIndex && type == FeatureType.NUMERIC && isBinaryIntegerCode(rows, i)) {
        type = FeatureType.CATEGORICAL;
      }
      inferred.add(new DataSchema.Column(columns.get(i), type));
    }
    return new DataSchema(label, null, inferred);
  }

  private static boolean isNumeric(List<String[]> rows, int column) {
    boolean seen = false;
    for (String[] row : rows) {
      String value = valueAt(row, column);
      if (value == null || DecimalText.isNaN(value)) {
        continue;
      }
      if (!DecimalText.isDecimal(value)) {
        return false;
      }
      seen = true;
    }
    return seen;
  }

  private static boolean isBinaryIntegerCode(List<String[]> rows, int column) {
    Set<String> distinct = new HashSet<>();
    for (String[] row : rows) {
      String value = valueAt(row, column);
      if (value == null || DecimalText.isNaN(value)) {
        continue;
      }
      if (!DecimalText.isInteger(value)) {
        return false;
      }
      distinct.add(value);
      if (distinct.size() > 2) {
        return false;
      }
    }
    return !distinct.isEmpty();
  }

  private static String valueAt(String[] row, int column) {
    if (column >= row.length || row[column] == null) {
      return null;
    }
    String trimmed = row[column].trim();
    return trimmed.isEmpty() ? null : trimmed;
  }
}
