package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Infers a {@link DataSchema} from a sample of the input, predictably and with simple rules (like
 * BigQuery's schema auto-detection, which also reads a leading sample):
 *
 * <ol>
 *   <li>The columns are the input's columns in input order: a CSV file's header, or the JSON Lines
 *       fields in first-seen order.
 *   <li>A column is NUMERIC when the sample has at least one value in it and at least {@link
 *       #NUMERIC_PERCENT}% of its values are decimal numbers in the float range ({@link
 *       DecimalText}; {@code NaN} and empty cells are missing); otherwise it is CATEGORICAL. The
 *       few other values ({@code abc}, {@code 45.2X}, {@code inf}, {@code 1e400}) are data errors:
 *       their rows are rejected as UNPARSABLE_NUMBER, and {@link Inference#nonNumeric()} counts
 *       them so the printed schema says so. Without the threshold one typo would turn a numeric
 *       column into a vocabulary of every distinct number. Integer codes stay NUMERIC: declare
 *       them CATEGORICAL in a schema file if they are ids.
 *   <li>The label follows the same rule, with one exception: a NUMERIC label whose sampled values
 *       are all integers and take at most two distinct values ({@code 0}/{@code 1}, {@code
 *       1}/{@code 2}) is a class label and becomes CATEGORICAL (a label with values that are not
 *       numbers is no such code).
 *   <li>The task is left open: a NUMERIC label means REGRESSION, a CATEGORICAL one
 *       BINARY_CLASSIFICATION when the full data has exactly two classes and
 *       MULTICLASS_CLASSIFICATION when it has more (decided after the full pass).
 * </ol>
 *
 * <p>Rows (in the sample or beyond it) that break a NUMERIC column's type are rejected as
 * unparsable numbers; the printed schema can be saved, edited and passed back with {@code
 * --schema}.
 */
public final class SchemaInference {
  /** How many leading rows of the input the inference reads. */
  public static final int SAMPLE_ROWS = 1000;
  /** The percentage of a column's sampled values that must be numbers for it to be NUMERIC. */
  public static final int NUMERIC_PERCENT = 95;
  /** How many of a NUMERIC column's other values {@link NonNumeric#examples()} keeps. */
  static final int EXAMPLES = 3;

  private SchemaInference() {}

  /**
   * An inferred schema and what the sample held besides numbers in its NUMERIC columns.
   *
   * @param nonNumeric per NUMERIC column with such values, in schema order
   */
  public record Inference(DataSchema schema, Map<String, NonNumeric> nonNumeric) {
    public Inference {
      nonNumeric = Collections.unmodifiableMap(new LinkedHashMap<>(nonNumeric));
    }
  }

  /**
   * The sampled values of a NUMERIC column that are not numbers.
   *
   * @param count how many there were
   * @param values how many values (not missing) the column had in the sample
   * @param examples the first few distinct ones
   */
  public record NonNumeric(long count, long values, List<String> examples) {}

  /** {@link #run} and only its schema. */
  public static DataSchema infer(
      List<String> columns, List<String[]> rows, String label, String source) {
    return run(columns, rows, label, source).schema();
  }

  /**
   * Infers the schema of {@code columns} from sampled {@code rows} (each one value per column,
   * null = missing; shorter rows are padded with missing values).
   *
   * @param source names the sampled input in error messages
   */
  public static Inference run(
      List<String> columns, List<String[]> rows, String label, String source) {
    int labelIndex = columns.indexOf(label);
    if (labelIndex < 0) {
      throw new IllegalArgumentException(
          "--label=" + label + " is not a column of " + source + "; columns: " + columns);
    }
    List<DataSchema.Column> inferred = new ArrayList<>(columns.size());
    Map<String, NonNumeric> nonNumeric = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      NonNumeric others = nonNumeric(rows, i);
      long numbers = others.values() - others.count();
      boolean numeric = numbers > 0 && 100 * numbers >= NUMERIC_PERCENT * others.values();
      FeatureType type = numeric ? FeatureType.NUMERIC : FeatureType.CATEGORICAL;
      if (i == labelIndex && numeric && others.count() == 0 && isBinaryIntegerCode(rows, i)) {
        type = FeatureType.CATEGORICAL;
      }
      if (type == FeatureType.NUMERIC && others.count() > 0) {
        nonNumeric.put(columns.get(i), others);
      }
      inferred.add(new DataSchema.Column(columns.get(i), type));
    }
    return new Inference(new DataSchema(label, null, inferred), nonNumeric);
  }

  private static NonNumeric nonNumeric(List<String[]> rows, int column) {
    long values = 0;
    long count = 0;
    Set<String> examples = new LinkedHashSet<>();
    for (String[] row : rows) {
      String value = valueAt(row, column);
      if (value == null || DecimalText.isNaN(value)) {
        continue;
      }
      values++;
      if (!DecimalText.isDecimal(value)) {
        count++;
        if (examples.size() < EXAMPLES) {
          examples.add(value);
        }
      }
    }
    return new NonNumeric(count, values, List.copyOf(examples));
  }

  private static boolean isBinaryIntegerCode(List<String[]> rows, int column) {
    Set<String> distinct = new HashSet<>();
    for (String[] row : rows) {
      String value = valueAt(row, column);
      if (value == null || DecimalText.isNaN(value)) {
        continue;
      }
      if (!DecimalText.isInteger(value) || !DecimalText.isDecimal(value)) {
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
