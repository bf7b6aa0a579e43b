package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.data.Examples;
import io.beamtrain.trainer.data.RawRow;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.LabelSpec;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link ParsedRow} into serialized tf.Example bytes with the trainer's {@link Examples}
 * codec, so the preprocess output follows the encoding contract of {@code TransformSpec} by
 * construction. The encoding needs only names, types and whether the task is a classification,
 * all known from the {@link DataSchema} before any analyzer has run.
 *
 * <p>Immutable and thread-safe, like the {@link Examples} codec it wraps.
 */
public final class ExampleEncoder {
  private final Examples examples;
  private final int[] featureColumns;
  private final boolean[] numeric;
  private final int labelIndex;
  private final boolean classification;

  public ExampleEncoder(DataSchema schema) {
    List<String> names = schema.columnNames();
    List<FeatureSpec> features = new ArrayList<>();
    List<DataSchema.Column> featureColumnList = schema.features();
    featureColumns = new int[featureColumnList.size()];
    numeric = new boolean[featureColumnList.size()];
    for (int i = 0; i < featureColumnList.size(); i++) {
      DataSchema.Column column = featureColumnList.get(i);
      featureColumns[i] = names.indexOf(column.name());
      numeric[i] = column.type() == FeatureType.NUMERIC;
      features.add(
          numeric[i]
              ? FeatureSpec.numeric(column.name(), 0, 1, 0, 0, 0)
              : FeatureSpec.categorical(
                  column.name(), List.of(), FeatureSpec.DEFAULT_OOV_BUCKETS, 0));
    }
    labelIndex = schema.labelIndex();
    classification = schema.labelType() == FeatureType.CATEGORICAL;
    // Only isClassification() matters to the codec; the final task is known after the analyzers.
    Task task = classification ? Task.MULTICLASS_CLASSIFICATION : Task.REGRESSION;
    examples = Examples.of(new LabelSpec(schema.label(), task, null, null, null), features);
  }

  /** The serialized tf.Example of {@code row}. */
  public byte[] encode(ParsedRow row) {
    int n = featureColumns.length;
    float[] numbers = new float[n];
    String[] strings = new String[n];
    for (int i = 0; i < n; i++) {
      String value = row.get(featureColumns[i]);
      if (numeric[i]) {
        numbers[i] = value == null ? Float.NaN : Float.parseFloat(value);
      } else {
        numbers[i] = Float.NaN;
        strings[i] = value == null ? "" : value;
      }
    }
    String label = row.get(labelIndex);
    RawRow raw =
        classification
            ? RawRow.classified(numbers, strings, label)
            : RawRow.regression(numbers, strings, Float.parseFloat(label));
    return examples.encode(raw).toByteArray();
  }
}
