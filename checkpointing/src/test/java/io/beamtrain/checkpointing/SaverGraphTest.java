package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.proto.SaverDef;

class SaverGraphTest {
  @TempDir Path dir;

  @Test
  void saverDefUsesPythonNamesAndFormatV2() {
    try (TestModel model = TestModel.create()) {
      SaverDef def = model.saver.saverDef();
      assertEquals("save/Const:0", def.getFilenameTensorName());
      assertEquals("save/control_dependency:0", def.getSaveTensorName());
      assertEquals("save/restore_all", def.getRestoreOpName());
      assertEquals(SaverDef.CheckpointFormatVersion.V2, def.getVersion());
      assertEquals(5, def.getMaxToKeep());
      assertEquals(10000.0f, def.getKeepCheckpointEveryNHours());
      for (String op :
          List.of(
              "save/filename/input", "save/filename", "save/Const", "save/SaveV2",
              "save/SaveV2/tensor_names", "save/SaveV2/shape_and_slices", "save/RestoreV2",
              "save/Assign", "save/AssignVariableOp", "save/restore_all")) {
        assertNotNull(model.graph.operation(op), op);
      }
      assertEquals("SaveV2", model.graph.operation("save/SaveV2").type());
      assertEquals("PlaceholderWithDefault", model.graph.operation("save/Const").type());
    }
  }

  @Test
  void savesEveryVariableIncludingOptimizerSlotsAndResourceVariables() {
    try (TestModel model = TestModel.create()) {
      List<String> names = model.saver.variables().stream().map(SaverGraph.SavedVariable::name).toList();
      assertTrue(names.containsAll(List.of("b", "r", "w")), names.toString());
      assertTrue(names.stream().anyMatch(n -> n.contains("Momentum") || n.contains("momentum")), names.toString());
      assertEquals(names.stream().sorted().toList(), names, "keys sorted like Python's Saver");
    }
  }

  @Test
  void restoresTrainedValuesIntoAFreshSession() {
    String prefix = dir.resolve("ckpt/model.ckpt-1").toString();
    List<float[]> trained;
    float[] predicted;
    try (TestModel model = TestModel.create()) {
      model.trainStep();
      model.trainStep();
      trained = model.variableValues();
      predicted = model.predict();
      model.saver.save(model.session, prefix);
    }
    assertTrue(Files.exists(Path.of(prefix + ".index")));
    assertTrue(Files.exists(Path.of(prefix + ".data-00000-of-00001")));
    try (TestModel fresh = TestModel.create()) {
      float[] untrained = fresh.predict();
      assertFalse(java.util.Arrays.equals(untrained, predicted), "training changed the output");
      fresh.saver.restore(fresh.session, prefix);
      List<float[]> restored = fresh.variableValues();
      for (int i = 0; i < trained.size(); i++) {
        assertArrayEquals(trained.get(i), restored.get(i), fresh.saver.variables().get(i).name());
      }
      assertArrayEquals(predicted, fresh.predict());
    }
  }

  @Test
  void snapshotWritesTheSameCheckpointAsSave() throws Exception {
    try (TestModel model = TestModel.create()) {
      model.trainStep();
      String direct = dir.resolve("direct/model.ckpt-1").toString();
      model.saver.save(model.session, direct);
      try (VariableSnapshot snapshot = model.saver.snapshot(model.session);
          SnapshotWriter writer = new SnapshotWriter(model.saver.variables())) {
        long floats = model.saver.variables().stream().mapToLong(v -> v.shape().size()).sum();
        assertEquals(4 * floats, snapshot.numBytes());
        model.trainStep(); // must not leak into the snapshot
        String viaSnapshot = dir.resolve("snap/model.ckpt-1").toString();
        writer.write(snapshot, viaSnapshot);
        assertArrayEquals(
            Files.readAllBytes(Path.of(direct + ".index")),
            Files.readAllBytes(Path.of(viaSnapshot + ".index")));
        assertArrayEquals(
            Files.readAllBytes(Path.of(direct + ".data-00000-of-00001")),
            Files.readAllBytes(Path.of(viaSnapshot + ".data-00000-of-00001")));
      }
    }
  }

  @Test
  void secondSaverInOneGraphTakesTheNextScope() {
    try (TestModel model = TestModel.create()) {
      SaverGraph second = SaverGraph.build(model.graph);
      assertEquals("save_1/restore_all", second.saverDef().getRestoreOpName());
      String prefix = dir.resolve("s1/model").toString();
      model.trainStep();
      List<float[]> before = model.variableValues();
      second.save(model.session, prefix);
      model.trainStep();
      second.restore(model.session, prefix);
      List<float[]> after = model.variableValues();
      for (int i = 0; i < before.size(); i++) {
        assertArrayEquals(before.get(i), after.get(i));
      }
    }
  }

  @Test
  void graphWithoutVariablesIsRejected() {
    try (Graph g = new Graph()) {
      org.tensorflow.op.Ops.create(g).constant(1f);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> SaverGraph.build(g));
      assertTrue(e.getMessage().contains("No variables"), e.getMessage());
    }
  }

  @Test
  void restoreFromMissingPrefixNamesIt() {
    try (TestModel model = TestModel.create()) {
      String prefix = dir.resolve("nothing/model.ckpt-9").toString();
      CheckpointException e =
          assertThrows(CheckpointException.class, () -> model.saver.restore(model.session, prefix));
      assertTrue(e.getMessage().contains(prefix), e.getMessage());
    }
  }

  @Test
  void sessionOfAnotherGraphIsRejected() {
    try (TestModel a = TestModel.create();
        TestModel b = TestModel.create()) {
      assertThrows(IllegalArgumentException.class, () -> a.saver.save(b.session, dir.resolve("x").toString()));
    }
  }

}
