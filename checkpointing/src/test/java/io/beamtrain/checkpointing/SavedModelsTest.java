package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

class SavedModelsTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();
  private static final float[][] X = {{1, 2, 3}, {0, -1, 2}, {4, 0, 1}, {-2, 1, 0}};

  @TempDir Path tmp;

  @Test
  void exportWithSignatureLoadsAndPredictsTheSame() {
    Path target = tmp.resolve("nested/saved_model");
    float[] expected;
    try (TestModel model = TestModel.create()) {
      model.trainStep();
      expected = model.predict();
      Signature signature =
          Signature.builder()
              .key(Signature.DEFAULT_KEY)
              .input("x", model.graph.output(TestModel.INPUT))
              .output("y", model.graph.output(TestModel.OUTPUT))
              .build();
      SavedModels.export(model.session, List.of(signature), target.toString(), CONFIG);
    }
    assertTrue(Files.exists(target.resolve("saved_model.pb")));
    assertTrue(Files.exists(target.resolve("variables/variables.index")));
    assertTrue(Files.exists(target.resolve("variables/variables.data-00000-of-00001")));
    assertArrayEquals(expected, predictWithBundle(target));
  }

  @Test
  void exportWithSignatureDefProtos() {
    Path target = tmp.resolve("from-proto");
    float[] expected;
    try (TestModel model = TestModel.create()) {
      model.trainStep();
      model.trainStep();
      expected = model.predict();
      SignatureDef def =
          SignatureDef.newBuilder()
              .setMethodName("tensorflow/serving/predict")
              .putInputs("x", TensorInfo.newBuilder().setName("x:0").setDtype(DataType.DT_FLOAT).build())
              .putOutputs("y", TensorInfo.newBuilder().setName("y:0").setDtype(DataType.DT_FLOAT).build())
              .build();
      SavedModels.export(model.session, model.graph, Map.of(Signature.DEFAULT_KEY, def), target.toString(), CONFIG);
    }
    assertArrayEquals(expected, predictWithBundle(target));
  }

  @Test
  void unknownTensorInASignatureIsNamed() {
    try (TestModel model = TestModel.create()) {
      SignatureDef def =
          SignatureDef.newBuilder()
              .putInputs("x", TensorInfo.newBuilder().setName("nope:0").build())
              .build();
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class,
              () -> SavedModels.export(model.session, model.graph, Map.of("serving_default", def),
                  tmp.resolve("bad").toString(), CONFIG));
      assertTrue(e.getMessage().contains("nope:0") && e.getMessage().contains("serving_default"), e.getMessage());
    }
  }

  @Test
  void loadNamesTheTruncatedVariablesShard() throws Exception {
    Path target = tmp.resolve("truncated");
    try (TestModel model = TestModel.create()) {
      Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
          .input("x", model.graph.output(TestModel.INPUT)).output("y", model.graph.output(TestModel.OUTPUT)).build();
      SavedModels.export(model.session, List.of(signature), target.toString(), CONFIG);
    }
    Path data = target.resolve("variables/variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    InvalidSavedModelException e = assertThrows(InvalidSavedModelException.class,
        () -> SavedModels.load(target.toString(), CONFIG, SavedModels.SERVE_TAG).close());
    assertEquals(target.resolve("variables/variables.data-00000-of-00001").toString(), e.file(), e.getMessage());
    assertTrue(e.getMessage().startsWith(data.toString()), e.getMessage());
  }

  @Test
  void loadNamesAVariablesShardWithChangedBytes() throws Exception {
    Path target = tmp.resolve("flipped");
    try (TestModel model = TestModel.create()) {
      Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
          .input("x", model.graph.output(TestModel.INPUT)).output("y", model.graph.output(TestModel.OUTPUT)).build();
      SavedModels.export(model.session, List.of(signature), target.toString(), CONFIG);
    }
    Path data = target.resolve("variables/variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) ~bytes[i];
    }
    Files.write(data, bytes);
    InvalidSavedModelException e = assertThrows(InvalidSavedModelException.class,
        () -> SavedModels.load(target.toString(), CONFIG, SavedModels.SERVE_TAG).close());
    assertEquals(target.resolve("variables/variables.data-00000-of-00001").toString(), e.file(), e.getMessage());
  }

  @Test
  void loadNamesAnUnparsableSavedModelPb() throws Exception {
    Path target = Files.createDirectories(tmp.resolve("garbage"));
    Files.write(target.resolve(SavedModels.SAVED_MODEL_FILE), new byte[] {(byte) 0xff, 0x13, 0x37, 0x00, 0x42});
    InvalidSavedModelException e = assertThrows(InvalidSavedModelException.class,
        () -> SavedModels.load(target.toString(), CONFIG, SavedModels.SERVE_TAG).close());
    assertEquals(target.resolve(SavedModels.SAVED_MODEL_FILE).toString(), e.file(), e.getMessage());
  }

  private static float[] predictWithBundle(Path dir) {
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), SavedModels.SERVE_TAG);
        TFloat32 x = TFloat32.tensorOf(StdArrays.ndCopyOf(X));
        Result result = bundle.function(Signature.DEFAULT_KEY).call(Map.of("x", x))) {
      TFloat32 y = (TFloat32) result.get("y").orElseThrow();
      float[] out = new float[X.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = y.getFloat(i, 0);
      }
      return out;
    }
  }
}
