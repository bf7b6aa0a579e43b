package io.beamtrain.pipelines.preprocess;

import java.util.regex.Pattern;

/**
 * The rule for feature column names, checked when the schema is resolved, before any work: a
 * feature becomes a tf.Example feature, a placeholder of the exported graph and the serving
 * signature's input of the same name (docs/DESIGN.md: "named exactly as the column"), and a
 * TensorFlow op name must match {@value #RULE} (TensorFlow Java's own check, no {@code /}: that
 * is the name scope separator). A name outside the rule would otherwise fail only at export,
 * after the whole sweep ran.
 *
 * <p>Rejecting beats renaming here: a mapped name ({@code beak/length} to {@code beak_length})
 * would make the signature's input differ from the column that callers send, and every reader of
 * the data would need the mapping. The label is no graph input, so its name is free.
 */
public final class FeatureNames {
  /** What a feature name must match: the TensorFlow op name pattern. */
  public static final String RULE = "[A-Za-z0-9.][A-Za-z0-9_.\\-]*";

  private static final Pattern VALID = Pattern.compile(RULE);

  private FeatureNames() {}

  /**
   * Checks every feature of {@code schema}.
   *
   * @throws IllegalArgumentException naming the first bad column, the rule and the way out
   */
  public static void check(DataSchema schema) {
    for (DataSchema.Column column : schema.features()) {
      if (!VALID.matcher(column.name()).matches()) {
        throw new IllegalArgumentException(
            "column '"
                + column.name()
                + "' cannot be a feature: features become TensorFlow inputs of the same name,"
                + " which must match "
                + RULE
                + " (letters, digits, '_', '.', '-'; not starting with '_' or '-', no '/');"
                + " rename the column or leave it out with --ignore");
      }
    }
  }
}
