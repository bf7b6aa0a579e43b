package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.LabelSpec;
import io.beamtrain.trainer.data.TransformSpec.SplitSpec;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns the analyzer results into {@code transform.json} ({@link TransformSpec}). Feature
 * statistics and vocabularies come from the training split only, as tf.Transform analyzes only
 * training data, so nothing about the eval rows leaks into the model's inputs. The label's classes
 * are the union over both splits, sorted by value (as scikit-learn's {@code LabelEncoder} orders
 * them), so every eval example has a class index.
 */
public final class TransformSpecs {
  private TransformSpecs() {}

  /**
   * The task: the schema's when given, else REGRESSION for a NUMERIC label and BINARY or
   * MULTICLASS by the number of classes.
   *
   * @throws BadInputException when a classification has fewer than two classes, or a BINARY
   *     one more than two
   */
  public static Task resolveTask(DataSchema schema, List<String> classes) {
    if (schema.labelType() == FeatureType.NUMERIC) {
      return Task.REGRESSION;
    }
    if (classes.size() < 2) {
      throw new BadInputException(
          "label '"
              + schema.label()
              + "' has "
              + (classes.isEmpty() ? "no class" : "only the class " + classes)
              + " in the accepted rows; a classification needs at least two");
    }
    if (schema.task() == Task.BINARY_CLASSIFICATION && classes.size() != 2) {
      throw new BadInputException(
          "the schema's task is BINARY_CLASSIFICATION but label '"
              + schema.label()
              + "' has "
              + classes.size()
              + " classes: "
              + abbreviate(classes));
    }
    if (schema.task() != null) {
      return schema.task();
    }
    return classes.size() == 2 ? Task.BINARY_CLASSIFICATION : Task.MULTICLASS_CLASSIFICATION;
  }

  /** The label's classes: values seen in either split, sorted. */
  public static List<String> classes(DataSchema schema, TableStatistics train, TableStatistics eval) {
    if (schema.labelType() != FeatureType.CATEGORICAL) {
      return List.of();
    }
    TreeSet<String> classes = new TreeSet<>(train.column(schema.label()).vocabularyValues());
    classes.addAll(eval.column(schema.label()).vocabularyValues());
    return List.copyOf(classes);
  }

  /** Builds the spec; the schema's task is resolved here (see {@link #resolveTask}). */
  public static TransformSpec build(
      DataSchema schema,
      double evalFraction,
      long seed,
      TableStatistics train,
      TableStatistics eval,
      List<String> trainFiles,
      List<String> evalFiles) {
    List<String> classes = classes(schema, train, eval);
    Task task = resolveTask(schema, classes);
    LabelSpec label;
    if (task.isClassification()) {
      label = new LabelSpec(schema.label(), task, classes, null, null);
    } else {
      ColumnStatistics target = train.column(schema.label());
      label = new LabelSpec(schema.label(), task, null, target.mean(), target.stddev());
    }
    List<FeatureSpec> features = new ArrayList<>();
    for (DataSchema.Column column : schema.features()) {
      ColumnStatistics stats = train.column(column.name());
      features.add(
          column.type() == FeatureType.NUMERIC
              ? FeatureSpec.numeric(
                  column.name(),
                  stats.mean(),
                  stats.stddev(),
                  stats.min(),
                  stats.max(),
                  stats.missing())
              : FeatureSpec.categorical(
                  column.name(),
                  stats.vocabularyValues(),
                  FeatureSpec.DEFAULT_OOV_BUCKETS,
                  stats.missing()));
    }
    SplitSpec split =
        new SplitSpec(evalFraction, seed, train.rows(), eval.rows(), trainFiles, evalFiles);
    return new TransformSpec(TransformSpec.CURRENT_VERSION, label, features, split);
  }

  private static String abbreviate(List<String> values) {
    return values.size() <= 10 ? values.toString() : values.subList(0, 10) + " ...";
  }
}
