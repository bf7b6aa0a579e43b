package io.beamtrain.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.beamtrain.checkpointing.GraphCollections;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.train.TrialRunner;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.testing.DataDirFixture;
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
import org.tensorflow.op.Ops;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.VariableDef;

/**
 * Every {@code .meta} a trial and its export write carries the collections Python's {@code
 * import_meta_graph} turns into {@code tf.compat.v1.trainable_variables()} and the {@code train_op}
 * collection: the trial checkpoints' meta-graphs and {@code best/model.meta}, with names that
 * resolve in the meta-graph's own graph.
 */
class MetaGraphCollectionsTest {
  private static final Map<String, Object> PARAMS = Map.of("hidden_layers", "8,4", "optimizer", "adam");

  @TempDir Path dir;

  @Test
  void trialAndExportMetaGraphsNameTheModelsTrainableVariablesAndTrainOp() throws Exception {
    DataDirFixture.Written data = DataDirFixture.penguins().write(dir.resolve("data"));
    TrialRunner.run(
        TrialSpec.builder()
            .dataDir(data.dataDir())
            .trialDir(dir.resolve("trial").toString())
            .params(PARAMS)
            .seed(3)
            .trainSteps(20)
            .evalEverySteps(20)
            .checkpointEverySteps(20)
            .intraOpThreads(1)
            .build());
    Set<String> weights = networkVariables(data);

    MetaGraphDef trial = read(dir.resolve("trial/model.ckpt-20.meta"));
    assertEquals(weights, names(trial, GraphCollections.TRAINABLE_VARIABLES));
    Set<String> global = names(trial, GraphCollections.VARIABLES);
    assertTrue(global.containsAll(weights) && global.size() > weights.size(),
        "the optimizer's slots should be global, not trainable: " + global);
    List<String> trainOp = trial.getCollectionDefOrThrow(GraphCollections.TRAIN_OP).getNodeList().getValueList();
    assertEquals(List.of("train"), trainOp);
    assertNamesResolve(trial);

    ServingExporter.export(
        data.dataDir(), PARAMS, dir.resolve("trial/model.ckpt-20").toString(), dir.resolve("best").toString(),
        StorageConfig.defaults());
    for (String meta : List.of("best/model.meta", "best/model.ckpt-20.meta")) {
      MetaGraphDef exported = read(dir.resolve(meta));
      assertEquals(weights, names(exported, GraphCollections.TRAINABLE_VARIABLES), meta);
      assertEquals(weights, names(exported, GraphCollections.VARIABLES), meta);
      assertFalse(exported.containsCollectionDef(GraphCollections.TRAIN_OP), meta + ": a serving graph does not train");
      assertNamesResolve(exported);
    }
  }

  /** The variable names of the trial's network, built on its own. */
  private static Set<String> networkVariables(DataDirFixture.Written data) {
    try (Graph graph = new Graph()) {
      Set<String> names = new TreeSet<>();
      ModelSpec.of(HyperParameters.parse(PARAMS), data.spec())
          .createNetwork(Ops.create(graph), 0)
          .variables()
          .forEach(v -> names.add(v.op().name()));
      return names;
    }
  }

  /** Each variable, initializer, initial value, snapshot and train op name is an op of the imported graph. */
  private static void assertNamesResolve(MetaGraphDef meta) throws Exception {
    try (Graph imported = new Graph()) {
      imported.importGraphDef(meta.getGraphDef());
      List<String> names = new ArrayList<>();
      for (VariableDef def : variableDefs(meta, GraphCollections.VARIABLES)) {
        assertTrue(def.getVariableName().endsWith(":0"), def.getVariableName());
        names.add(opName(def.getVariableName()));
        names.add(def.getInitializerName());
        names.add(opName(def.getInitialValueName()));
        names.add(opName(def.getSnapshotName()));
        GraphOperation initializer = imported.operation(def.getInitializerName());
        assertNotNull(initializer, def.getInitializerName());
        assertEquals(opName(def.getVariableName()), initializer.input(0).op().name(),
            def.getInitializerName() + " initializes another variable");
      }
      if (meta.containsCollectionDef(GraphCollections.TRAIN_OP)) {
        names.addAll(meta.getCollectionDefOrThrow(GraphCollections.TRAIN_OP).getNodeList().getValueList());
      }
      for (String name : names) {
        assertNotNull(imported.operation(name), "'" + name + "' is not an op of the meta-graph");
      }
    }
  }

  private static MetaGraphDef read(Path file) throws Exception {
    return MetaGraphDef.parseFrom(Files.readAllBytes(file));
  }

  private static Set<String> names(MetaGraphDef meta, String key) throws Exception {
    Set<String> out = new TreeSet<>();
    variableDefs(meta, key).forEach(d -> out.add(opName(d.getVariableName())));
    return out;
  }

  private static List<VariableDef> variableDefs(MetaGraphDef meta, String key) throws Exception {
    List<VariableDef> out = new ArrayList<>();
    for (ByteString bytes : meta.getCollectionDefOrThrow(key).getBytesList().getValueList()) {
      out.add(VariableDef.parseFrom(bytes));
    }
    return out;
  }

  private static String opName(String tensorName) {
    int colon = tensorName.lastIndexOf(':');
    return colon < 0 ? tensorName : tensorName.substring(0, colon);
  }
}
