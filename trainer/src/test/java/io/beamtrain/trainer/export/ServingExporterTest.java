package io.beamtrain.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.LoadedModel;
import io.beamtrain.checkpointing.MetaGraphs;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.train.TrialRunner;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.serving.Prediction;
import io.beamtrain.trainer.serving.ServingModel;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingExporterTest {
  @TempDir Path dir;

  private TrialResult train(DataDirFixture.Written data, Map<String, Object> params, long steps) {
    return TrialRunner.run(
        TrialSpec.builder()
            .dataDir(data.dataDir())
            .trialDir(dir.resolve("trial").toString())
            .params(params)
            .seed(3)
            .trainSteps(steps)
            .evalEverySteps(steps)
            .checkpointEverySteps(steps)
            .intraOpThreads(1)
            .build());
  }

  @Test
  void classifierScoresRawRowsExactlyAsTheTrainersEval() {
    DataDirFixture.Written data = DataDirFixture.penguins().write(dir.resolve("data"));
    Map<String, Object> params = Map.of("hidden_layers", "32,16", "dropout", 0.1);
    TrialResult trial = train(data, params, 200);
    String target = dir.resolve("best").toString();
    ServingExporter.export(
        data.dataDir(), params, dir.resolve("trial/model.ckpt-200").toString(), target,
        StorageConfig.defaults());

    assertTrue(Files.exists(dir.resolve("best/model.meta")));
    assertTrue(Files.exists(dir.resolve("best/model.ckpt-200.index")));
    assertEquals(
        200,
        CheckpointManager.latestCheckpoint(target, StorageConfig.defaults()).orElseThrow().step());

    String label = data.spec().label().name();
    List<String> classes = data.spec().label().vocabulary();
    try (ServingModel model =
        ServingModel.load(dir.resolve("best/saved_model").toString(), StorageConfig.defaults())) {
      List<Map<String, String>> rows = data.evalRowsAsStrings();
      rows.forEach(r -> r.remove(label));
      List<Prediction> predictions = model.predict(rows);
      int correct = 0;
      double loss = 0;
      for (int i = 0; i < predictions.size(); i++) {
        Prediction p = predictions.get(i);
        String truth = String.valueOf(data.evalRows().get(i).get(label));
        correct += p.classLabel().equals(truth) ? 1 : 0;
        loss -= Math.log(p.probabilities()[classes.indexOf(truth)]);
      }
      assertEquals(trial.metric(MetricSpec.EVAL_ACCURACY), (double) correct / predictions.size(), 1e-12);
      assertEquals(trial.metric(MetricSpec.EVAL_LOSS), loss / predictions.size(), 1e-5);
    }
  }

  @Test
  void regressorPredictsTargetsInRawUnitsAsTheTrainersEval() {
    DataDirFixture.Written data =
        DataDirFixture.syntheticRegression(800, 3, 9).write(dir.resolve("data"));
    Map<String, Object> params = Map.of("loss", "huber");
    TrialResult trial = train(data, params, 150);
    ServingExporter.export(
        data.dataDir(), params, dir.resolve("trial/model.ckpt-150").toString(),
        dir.resolve("best").toString(), StorageConfig.defaults());

    try (ServingModel model =
        ServingModel.load(dir.resolve("best/saved_model").toString(), StorageConfig.defaults())) {
      List<Prediction> predictions = model.predict(data.evalRowsAsStrings());
      double squared = 0;
      double absolute = 0;
      for (int i = 0; i < predictions.size(); i++) {
        double error = predictions.get(i).value() - ((Number) data.evalRows().get(i).get("y")).doubleValue();
        squared += error * error;
        absolute += Math.abs(error);
      }
      assertEquals(trial.metric(MetricSpec.EVAL_RMSE), Math.sqrt(squared / predictions.size()), 1e-5);
      assertEquals(trial.metric(MetricSpec.EVAL_MAE), absolute / predictions.size(), 1e-5);
    }
    // model.meta + checkpoint restore without model code (what Python's import_meta_graph does).
    try (LoadedModel loaded =
        MetaGraphs.importAndRestore(
            dir.resolve("best/model.meta").toString(),
            dir.resolve("best/model.ckpt-150").toString(),
            StorageConfig.defaults())) {
      assertTrue(loaded.graph().operation("logits/kernel") != null);
    }
  }

  @Test
  void checkpointOfAnotherArchitectureIsBadInputAndWritesNothing() {
    DataDirFixture.Written data = DataDirFixture.penguins().write(dir.resolve("data"));
    train(data, Map.of(), 20);
    String prefix = dir.resolve("trial/model.ckpt-20").toString();
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () ->
                ServingExporter.export(
                    data.dataDir(), Map.of("hidden_units", 8), prefix,
                    dir.resolve("best").toString(), StorageConfig.defaults()));
    assertTrue(e.getMessage().startsWith("cannot restore " + prefix), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("best")));
    BadInputException missing =
        assertThrows(
            BadInputException.class,
            () ->
                ServingExporter.export(
                    data.dataDir(), Map.of(), prefix + "0", dir.resolve("best").toString(),
                    StorageConfig.defaults()));
    assertTrue(missing.getMessage().contains(prefix + "0"), missing.getMessage());
  }
}
