package io.beamtrain.pipelines.retrain;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.RawRow;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TfRecords;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.serving.Prediction;
import io.beamtrain.trainer.serving.ServingModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores an exported SavedModel on the eval split of a data directory through its serving
 * signature, i.e. from raw values with the model's own in-graph transform. Champion and challenger
 * were preprocessed with different analyzer results (vocabularies, means), so comparing them
 * through their serving graphs on the same raw rows is the only fair comparison. Classification:
 * {@code eval_accuracy}; regression: {@code eval_rmse}. Stateless; thread-safe.
 */
public final class ModelEvaluator {
  static final int BATCH_ROWS = 512;

  private ModelEvaluator() {}

  public static Score evaluate(String savedModelDir, String dataDir, StorageConfig config) {
    ExampleDataset dataset = ExampleDataset.open(dataDir, config);
    TransformSpec spec = dataset.spec();
    boolean classification = spec.label().task().isClassification();
    long rows = 0;
    double correct = 0;
    double squaredError = 0;
    try (ServingModel model = ServingModel.load(savedModelDir, config)) {
      for (String file : dataset.files(Split.EVAL)) {
        List<byte[]> records = TfRecords.readAll(file, config);
        for (int start = 0; start < records.size(); start += BATCH_ROWS) {
          List<RawRow> batch = new ArrayList<>();
          List<Map<String, String>> cells = new ArrayList<>();
          for (int i = start; i < Math.min(records.size(), start + BATCH_ROWS); i++) {
            RawRow row = dataset.examples().decode(records.get(i), file, i);
            batch.add(row);
            cells.add(cells(spec, row));
          }
          List<Prediction> predictions = model.predict(cells);
          for (int i = 0; i < batch.size(); i++) {
            Prediction p = predictions.get(i);
            if (classification) {
              correct += batch.get(i).labelClass().equals(p.classLabel()) ? 1 : 0;
            } else {
              double error = p.value() - batch.get(i).labelValue();
              squaredError += error * error;
            }
          }
          rows += batch.size();
        }
      }
    }
    if (rows == 0) {
      throw new BadInputException(dataDir + ": the eval split has no rows, so champion and "
          + "challenger cannot be compared (is the slice too small for --evalFraction?)");
    }
    return classification
        ? new Score(MetricSpec.EVAL_ACCURACY, Goal.MAXIMIZE, correct / rows, rows)
        : new Score(MetricSpec.EVAL_RMSE, Goal.MINIMIZE, Math.sqrt(squaredError / rows), rows);
  }

  /** The raw cells the serving signature takes: numbers as text ("" when missing), strings as is. */
  static Map<String, String> cells(TransformSpec spec, RawRow row) {
    Map<String, String> out = new HashMap<>();
    List<FeatureSpec> features = spec.features();
    for (int i = 0; i < features.size(); i++) {
      FeatureSpec f = features.get(i);
      if (f.type() == FeatureType.NUMERIC) {
        float v = row.number(i);
        out.put(f.name(), Float.isNaN(v) ? "" : Float.toString(v));
      } else {
        out.put(f.name(), row.string(i));
      }
    }
    return out;
  }
}
