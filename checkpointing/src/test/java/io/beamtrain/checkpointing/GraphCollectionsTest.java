package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.VariableDef;

/**
 * The {@code variables}, {@code trainable_variables} and {@code train_op} collections of a {@code
 * .meta}, read back as Python's {@code import_meta_graph} reads them: every name must resolve to a
 * node of the meta-graph's own graph_def.
 */
class GraphCollectionsTest {
  private static final Set<String> TRAINABLE = Set.of("w", "b");

  @TempDir Path tmp;

  @Test
  void metaOfACheckpointCarriesVariablesTrainableVariablesAndTrainOp() throws Exception {
    try (TestModel model = TestModel.create()) {
      String dir = tmp.resolve("trial").toString();
      try (CheckpointManager manager =
          CheckpointManager.open(dir, model.saver, model.graph, GraphCollections.of(TRAINABLE, "train"),
              CheckpointManagerOptions.defaults(), StorageConfig.defaults())) {
        manager.save(model.session, 3, Map.of());
      }
      MetaGraphDef meta = MetaGraphDef.parseFrom(Files.readAllBytes(tmp.resolve("trial/model.ckpt-3.meta")));

      assertEquals(TRAINABLE, names(variableDefs(meta, GraphCollections.TRAINABLE_VARIABLES)));
      Set<String> variables = names(variableDefs(meta, GraphCollections.VARIABLES));
      // Every variable the saver saves (weights, the resource variable, Momentum's slots) is global.
      Set<String> saved = new TreeSet<>();
      model.saver.variables().forEach(v -> saved.add(v.name()));
      assertEquals(saved, variables);
      assertTrue(saved.size() > TRAINABLE.size(), "no slot variables in " + saved);
      assertNamesResolve(meta);
      assertEquals(List.of("train"), meta.getCollectionDefOrThrow(GraphCollections.TRAIN_OP).getNodeList().getValueList());
    }
  }

  @Test
  void variableDefsAreWhatPythonWrites() throws Exception {
    try (TestModel model = TestModel.create()) {
      MetaGraphDef meta = MetaGraphDef.parseFrom(
          MetaGraphs.toBytes(model.graph, model.saver.saverDef(), Map.of(), GraphCollections.of(TRAINABLE, "train")));
      for (VariableDef def : variableDefs(meta, GraphCollections.VARIABLES)) {
        String name = opName(def.getVariableName());
        assertEquals(name + ":0", def.getVariableName());
        assertEquals(TRAINABLE.contains(name), def.getTrainable(), name);
        GraphOperation variable = model.graph.operationOrThrow(name);
        boolean resource = variable.type().equals("VarHandleOp");
        assertEquals(resource, def.getIsResource(), name);
        GraphOperation initializer = model.graph.operationOrThrow(def.getInitializerName());
        assertEquals(resource ? "AssignVariableOp" : "Assign", initializer.type(), name);
        assertEquals(variable.output(0), initializer.input(0), name + ": its initializer assigns another variable");
        assertTrue(model.graph.isInitializer(initializer), def.getInitializerName() + " is not an initializer");
        assertEquals(initializer.input(1).name(), def.getInitialValueName(), name);
        GraphOperation snapshot = model.graph.operationOrThrow(opName(def.getSnapshotName()));
        // Python differentiates against the snapshot: it must be what the graph reads the variable through.
        if (resource) {
          assertEquals("ReadVariableOp", snapshot.type(), name);
          assertEquals(variable.output(0), snapshot.input(0), name);
        } else {
          assertEquals(def.getVariableName(), def.getSnapshotName(), name);
        }
      }
    }
  }

  @Test
  void allTrainableMarksEveryVariableTrainableAndNamesNoTrainOp() throws Exception {
    try (TestModel model = TestModel.create()) {
      MetaGraphDef meta = MetaGraphDef.parseFrom(MetaGraphs.toBytes(model.graph, model.saver.saverDef(), Map.of()));
      assertEquals(names(variableDefs(meta, GraphCollections.VARIABLES)),
          names(variableDefs(meta, GraphCollections.TRAINABLE_VARIABLES)));
      assertFalse(meta.containsCollectionDef(GraphCollections.TRAIN_OP));
      assertNamesResolve(meta);
    }
  }

  @Test
  void namesThatAreNotInTheGraphAreRejected() {
    try (TestModel model = TestModel.create()) {
      IllegalArgumentException variable = assertThrows(IllegalArgumentException.class,
          () -> GraphCollections.of(Set.of("w", "kernel"), "train").toCollectionDefs(model.graph));
      assertTrue(variable.getMessage().contains("'kernel'"), variable.getMessage());
      IllegalArgumentException op = assertThrows(IllegalArgumentException.class,
          () -> GraphCollections.of(TRAINABLE, "optimize").toCollectionDefs(model.graph));
      assertTrue(op.getMessage().contains("'optimize'"), op.getMessage());
    }
  }

  /**
   * Every name in the collections resolves to a node of the meta-graph's graph_def, and to an op
   * once that graph_def is imported (Python's {@code as_graph_element} after {@code import_meta_graph}).
   */
  static void assertNamesResolve(MetaGraphDef meta) throws InvalidProtocolBufferException {
    Set<String> nodes = new TreeSet<>();
    meta.getGraphDef().getNodeList().forEach(n -> nodes.add(n.getName()));
    List<String> names = new ArrayList<>();
    for (String key : List.of(GraphCollections.VARIABLES, GraphCollections.TRAINABLE_VARIABLES)) {
      for (VariableDef def : variableDefs(meta, key)) {
        names.add(opName(def.getVariableName()));
        names.add(def.getInitializerName());
        names.add(opName(def.getInitialValueName()));
        names.add(opName(def.getSnapshotName()));
      }
    }
    if (meta.containsCollectionDef(GraphCollections.TRAIN_OP)) {
      names.addAll(meta.getCollectionDefOrThrow(GraphCollections.TRAIN_OP).getNodeList().getValueList());
    }
    try (Graph imported = new Graph()) {
      imported.importGraphDef(meta.getGraphDef());
      for (String name : names) {
        assertTrue(nodes.contains(name), "'" + name + "' is not a node of the graph_def");
        assertNotNull(imported.operation(name), "'" + name + "' is not an op of the imported graph");
      }
    }
  }

  static List<VariableDef> variableDefs(MetaGraphDef meta, String key) throws InvalidProtocolBufferException {
    CollectionDef collection = meta.getCollectionDefOrThrow(key);
    assertTrue(collection.hasBytesList(), key + " is not a bytes_list");
    List<VariableDef> defs = new ArrayList<>();
    for (ByteString bytes : collection.getBytesList().getValueList()) {
      defs.add(VariableDef.parseFrom(bytes));
    }
    return defs;
  }

  static Set<String> names(List<VariableDef> defs) {
    Set<String> out = new TreeSet<>();
    defs.forEach(d -> out.add(opName(d.getVariableName())));
    return out;
  }

  static String opName(String tensorName) {
    return SaverGraph.opName(tensorName);
  }
}
