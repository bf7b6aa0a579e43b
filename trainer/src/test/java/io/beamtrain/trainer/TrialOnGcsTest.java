package io.beamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.trainer.export.ServingExporter;
import io.beamtrain.trainer.serving.Prediction;
import io.beamtrain.trainer.serving.ServingModel;
import io.beamtrain.trainer.testing.DataDirFixture;
import io.beamtrain.trainer.train.TrialRunner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A whole trial against the in-process GCS server: data, trial directory and export all under
 * {@code gs://}, resumed once, exported and served; TensorFlow never sees a gs:// path.
 */
class TrialOnGcsTest {
  static GcsTestServer server;
  static StorageConfig config;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start().createBucket("models");
    config = server.storageConfig();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void trialResumesAndExportsOnGcsWithoutDirectoryMarkers() {
    DataDirFixture.Written data = DataDirFixture.penguins().write("gs://models/run/data", config);
    TrialSpec.Builder spec =
        TrialSpec.builder()
            .dataDir(data.dataDir())
            .trialDir("gs://models/run/trials/trial-0001")
            .params(Map.of("hidden_layers", "16"))
            .seed(1)
            .evalEverySteps(50)
            .checkpointEverySteps(50)
            .intraOpThreads(1)
            .storageConfig(config);
    TrialResult first = TrialRunner.run(spec.trainSteps(100).build());
    assertEquals(TrialStatus.COMPLETED, first.status());
    TrialResult resumed = TrialRunner.run(spec.trainSteps(200).build());
    assertEquals(200, resumed.steps());
    assertEquals(4, resumed.history().size());
    assertEquals(first.history(), resumed.history().subList(0, 2));

    List<String> trialObjects = server.objectNames("models", "run/trials/trial-0001/");
    assertTrue(trialObjects.contains("run/trials/trial-0001/checkpoint"), trialObjects.toString());
    assertTrue(trialObjects.contains("run/trials/trial-0001/result.json"));
    assertTrue(trialObjects.contains("run/trials/trial-0001/params.json"));
    assertTrue(trialObjects.contains("run/trials/trial-0001/model.ckpt-200.index"));
    assertEquals(2, trialObjects.stream().filter(n -> n.contains("events.out.tfevents.")).count());
    assertFalse(server.objectNames("models").stream().anyMatch(n -> n.endsWith("/")), "directory marker");

    String prefix =
        CheckpointManager.latestCheckpoint(spec.build().trialDir(), config).orElseThrow().prefix();
    ServingExporter.export(data.dataDir(), Map.of("hidden_layers", "16"), prefix, "gs://models/run/best", config);
    try (ServingModel model = ServingModel.load("gs://models/run/best/saved_model", config)) {
      List<Map<String, String>> rows = data.evalRowsAsStrings();
      List<Prediction> predictions = model.predict(rows);
      long correct = 0;
      for (int i = 0; i < rows.size(); i++) {
        correct += predictions.get(i).classLabel().equals(rows.get(i).get("species")) ? 1 : 0;
      }
      // The export is the latest checkpoint, step 200: the last evaluation.
      assertEquals(
          resumed.history().get(3).metric(MetricSpec.EVAL_ACCURACY), (double) correct / rows.size(), 1e-12);
    }
    assertTrue(server.getObject("models", "run/best/model.meta").isPresent());
    assertTrue(server.getObject("models", "run/best/checkpoint").isPresent());

    // Retraining warm starts from the exported gs:// checkpoint (downloaded to a local copy).
    TrialResult warm =
        TrialRunner.run(
            spec.trialDir("gs://models/run/retrain/trial-0001")
                .params(Map.of("hidden_layers", "16", "optimizer", "sgd", "learning_rate", 1e-6))
                .warmStartFrom("gs://models/run/best/model.ckpt-200")
                .trainSteps(1)
                .build());
    assertEquals(
        resumed.history().get(3).metric(MetricSpec.EVAL_LOSS), warm.metric(MetricSpec.EVAL_LOSS), 1e-4);
  }
}
