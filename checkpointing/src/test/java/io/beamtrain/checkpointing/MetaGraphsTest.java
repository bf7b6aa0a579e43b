package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.types.TFloat32;

class MetaGraphsTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path tmp;

  @Test
  void metaGraphCarriesGraphAndSaverDef() throws Exception {
    try (TestModel model = TestModel.create()) {
      MetaGraphDef meta =
          MetaGraphDef.parseFrom(MetaGraphs.toBytes(model.graph, model.saver.saverDef(), Map.of()));
      assertEquals(model.saver.saverDef(), meta.getSaverDef());
      assertEquals(SaverDef.CheckpointFormatVersion.V2, meta.getSaverDef().getVersion());
      assertTrue(meta.getGraphDef().getNodeList().stream().anyMatch(n -> n.getName().equals("save/restore_all")));
      assertTrue(meta.getGraphDef().getNodeList().stream().anyMatch(n -> n.getName().equals("w")));
      assertTrue(!meta.getMetaInfoDef().getTensorflowVersion().isEmpty());
    }
  }

  @Test
  void importsFromMetaAloneRestoresAndKeepsTraining() {
    String prefix = tmp.resolve("model.ckpt-1").toString();
    byte[] meta;
    List<float[]> saved;
    float[] predicted;
    List<float[]> afterNextStep;
    SaverGraph originalSaver;
    try (TestModel model = TestModel.create()) {
      model.trainStep();
      model.saver.save(model.session, prefix);
      meta = MetaGraphs.toBytes(model.graph, model.saver.saverDef(), Map.of());
      saved = model.variableValues();
      predicted = model.predict();
      originalSaver = model.saver;
      model.trainStep();
      afterNextStep = model.variableValues();
    }
    try (LoadedModel loaded = MetaGraphs.importAndRestore(meta, prefix, CONFIG)) {
      CheckpointManagerTest.assertValues(saved, TestModel.variableValues(loaded.session(), originalSaver));
      assertArrayEquals(predicted, TestModel.predict(loaded.session()));
      // The optimizer's slots came back too: one more step lands exactly where the original did.
      runTrainStep(loaded);
      CheckpointManagerTest.assertValues(afterNextStep, TestModel.variableValues(loaded.session(), originalSaver));
    }
  }

  @Test
  void importsFromAManagerDirectoryByPath() {
    String dir = tmp.resolve("run").toString();
    float[] predicted;
    try (TestModel model = TestModel.create();
        CheckpointManager manager =
            CheckpointManager.open(dir, model.saver, model.graph,
                CheckpointManagerOptions.builder().stagingDirectory(tmp.resolve("s")).build(), CONFIG)) {
      model.trainStep();
      manager.save(model.session, 7, Map.of());
      predicted = model.predict();
    }
    try (LoadedModel loaded =
        MetaGraphs.importAndRestore(dir + "/model.ckpt-7.meta", dir + "/model.ckpt-7", CONFIG)) {
      assertArrayEquals(predicted, TestModel.predict(loaded.session()));
      assertEquals(5, loaded.metaGraphDef().getSaverDef().getMaxToKeep());
    }
  }

  @Test
  void rejectsBytesThatAreNotAMetaGraphWithASaver() {
    IllegalArgumentException garbage =
        assertThrows(IllegalArgumentException.class,
            () -> MetaGraphs.importAndRestore(new byte[] {1, 2, 3, 4}, "x", CONFIG));
    assertTrue(garbage.getMessage().contains("MetaGraphDef"), garbage.getMessage());
    byte[] noSaver;
    try (Graph g = new Graph()) {
      org.tensorflow.op.Ops.create(g).constant(1f);
      noSaver = MetaGraphDef.newBuilder().setGraphDef(g.toGraphDef()).build().toByteArray();
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MetaGraphs.importAndRestore(noSaver, "x", CONFIG));
    assertTrue(e.getMessage().contains("no saver_def"), e.getMessage());
  }

  @Test
  void missingCheckpointIsNamed() {
    byte[] meta;
    try (TestModel model = TestModel.create()) {
      meta = MetaGraphs.toBytes(model.graph, model.saver.saverDef(), Map.of());
    }
    String prefix = tmp.resolve("absent/model.ckpt-3").toString();
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> MetaGraphs.importAndRestore(meta, prefix, CONFIG));
    assertTrue(e.getMessage().contains(prefix), e.getMessage());
  }

  private static void runTrainStep(LoadedModel loaded) {
    float[][] x = {{1, 2, 3}, {0, -1, 2}, {4, 0, 1}, {-2, 1, 0}};
    float[][] y = {{1}, {0}, {2}, {-1}};
    try (TFloat32 xs = TFloat32.tensorOf(StdArrays.ndCopyOf(x));
        TFloat32 ys = TFloat32.tensorOf(StdArrays.ndCopyOf(y))) {
      loaded.session().runner().feed(TestModel.INPUT, xs).feed(TestModel.LABEL, ys).addTarget("train").run().close();
    }
  }
}
