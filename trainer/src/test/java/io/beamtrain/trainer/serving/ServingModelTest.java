package io.beamtrain.trainer.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.Examples;
import io.beamtrain.trainer.data.FeatureEncoder;
import io.beamtrain.trainer.data.GraphTransform;
import io.beamtrain.trainer.data.RawRow;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Scores raw rows through tiny SavedModels built from GraphTransform and a fixed linear head. */
class ServingModelTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir static Path dir;
  static DataDirFixture.Written penguins;
  static float[][] classWeights;
  static String classifierDir;
  static DataDirFixture.Written flights;
  static float[][] regressionWeights;
  static String regressorDir;

  @BeforeAll
  static void exportModels() throws Exception {
    penguins = DataDirFixture.penguins().write(dir.resolve("penguins-data"));
    classWeights = randomWeights(penguins.spec().denseWidth(), 3, 1);
    classifierDir = dir.resolve("classifier").toString();
    export(penguins.spec(), classWeights, classifierDir, true);

    flights = DataDirFixture.syntheticRegression(300, 3, 4).write(dir.resolve("flights-data"));
    regressionWeights = randomWeights(flights.spec().denseWidth(), 1, 2);
    regressorDir = dir.resolve("regressor").toString();
    export(flights.spec(), regressionWeights, regressorDir, false);
  }

  @Test
  void classifierGivesTheSoftmaxOfTheTransformedRowsAndTheArgmaxClass() {
    List<Map<String, String>> rows = penguins.evalRowsAsStrings();
    try (ServingModel model = ServingModel.load(classifierDir, CONFIG)) {
      assertTrue(model.isClassification());
      assertEquals(
          List.of("beak_depth_mm", "beak_length_mm", "body_mass_g", "flipper_length_mm", "island", "sex"),
          model.inputNames());
      List<Prediction> predictions = model.predict(rows);
      assertEquals(rows.size(), predictions.size());
      for (int r = 0; r < rows.size(); r++) {
        float[] expected = softmax(logits(penguins.spec(), rows.get(r), classWeights));
        Prediction p = predictions.get(r);
        assertArrayEquals(expected, p.probabilities(), 1e-5f, "row " + r);
        assertEquals(penguins.spec().label().vocabulary().get(argmax(expected)), p.classLabel());
        assertNull(p.value());
      }
    }
  }

  @Test
  void regressorGivesTheLinearFunctionOfTheTransformedRows() {
    List<Map<String, String>> rows = flights.evalRowsAsStrings();
    try (ServingModel model = ServingModel.load(regressorDir, CONFIG)) {
      assertFalse(model.isClassification());
      List<Prediction> predictions = model.predict(rows);
      for (int r = 0; r < rows.size(); r++) {
        float expected = logits(flights.spec(), rows.get(r), regressionWeights)[0];
        assertEquals(expected, predictions.get(r).value(), 1e-4f, "row " + r);
        assertNull(predictions.get(r).classLabel());
      }
    }
  }

  @Test
  void unknownColumnsAreIgnoredAndAbsentColumnsAreMissing() {
    Map<String, String> explicit = new HashMap<>();
    explicit.put("island", "");
    explicit.put("beak_length_mm", "");
    explicit.put("beak_depth_mm", "18.1");
    explicit.put("flipper_length_mm", "");
    explicit.put("body_mass_g", " ");
    explicit.put("sex", "");
    explicit.put("species", "Adelie");
    Map<String, String> sparse = new HashMap<>();
    sparse.put("beak_depth_mm", "18.1");
    sparse.put("comment", "not a feature");
    try (ServingModel model = ServingModel.load(classifierDir, CONFIG)) {
      List<Prediction> p = model.predict(List.of(explicit, sparse));
      assertEquals(p.get(0), p.get(1));
      float[] expected = softmax(logits(penguins.spec(), sparse, classWeights));
      assertArrayEquals(expected, p.get(1).probabilities(), 1e-5f);
    }
  }

  @Test
  void unparsableNumberNamesColumnAndRow() {
    List<Map<String, String>> rows = new ArrayList<>(penguins.evalRowsAsStrings().subList(0, 3));
    Map<String, String> bad = new HashMap<>(rows.get(2));
    bad.put("body_mass_g", "heavy");
    rows.set(2, bad);
    try (ServingModel model = ServingModel.load(classifierDir, CONFIG)) {
      BadInputException e = assertThrows(BadInputException.class, () -> model.predict(rows));
      assertEquals("row 2: column 'body_mass_g': cannot parse 'heavy' as a number", e.getMessage());
      assertEquals(3, model.predict(penguins.evalRowsAsStrings().subList(0, 3)).size());
    }
  }

  @Test
  void concurrentPredictionsAgreeWithSequentialOnes() throws Exception {
    List<Map<String, String>> rows = penguins.evalRowsAsStrings();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (ServingModel model = ServingModel.load(classifierDir, CONFIG)) {
      List<Prediction> expected = model.predict(rows);
      List<Future<List<Prediction>>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> model.predict(rows)));
      }
      for (Future<List<Prediction>> f : futures) {
        assertEquals(expected, f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void closedModelRefusesToPredict() {
    ServingModel model = ServingModel.load(classifierDir, CONFIG);
    model.close();
    model.close();
    assertThrows(IllegalStateException.class, () -> model.predict(penguins.evalRowsAsStrings()));
  }

  @Test
  void aDirectoryWithoutASavedModelIsBadInput() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    BadInputException e =
        assertThrows(BadInputException.class, () -> ServingModel.load(empty.toString(), CONFIG));
    assertEquals(empty + ": no saved_model.pb, not a SavedModel", e.getMessage());
  }

  @Test
  void aSavedModelWithoutTheServingSignatureIsBadInput() throws Exception {
    String other = dir.resolve("other-signature").toString();
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var x = tf.withName("x").placeholder(TFloat32.class);
      var w = tf.variable(tf.constant(2f));
      s.initialize();
      Signature signature =
          Signature.builder("predict_something").input("x", x).output("y", tf.math.mul(x, w)).build();
      SavedModelBundle.exporter(other).withSession(s).withSignature(signature).export();
    }
    BadInputException e =
        assertThrows(BadInputException.class, () -> ServingModel.load(other, CONFIG));
    assertTrue(e.getMessage().startsWith(other + ": has no 'serving_default' signature"), e.getMessage());
  }

  @Test
  void aGarbageSavedModelPbIsBadInputNamingTheFile() throws Exception {
    Path corrupt = copyOf(Path.of(classifierDir), dir.resolve("garbage-pb"));
    Files.write(corrupt.resolve("saved_model.pb"), "this is not a protocol buffer\n\u0000\u00ff".getBytes());
    BadInputException e =
        assertThrows(BadInputException.class, () -> ServingModel.load(corrupt.toString(), CONFIG));
    assertOneLineNaming(e, corrupt.toString(), "saved_model.pb");
  }

  @Test
  void aTruncatedVariablesFileIsBadInputAtLoadNamingTheFile() throws Exception {
    Path corrupt = copyOf(Path.of(classifierDir), dir.resolve("truncated-variables"));
    Path data;
    try (var files = Files.list(corrupt.resolve("variables"))) {
      data = files.filter(f -> f.getFileName().toString().startsWith("variables.data-")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    BadInputException e =
        assertThrows(BadInputException.class, () -> ServingModel.load(corrupt.toString(), CONFIG));
    assertOneLineNaming(e, corrupt.toString(), "variables/" + data.getFileName());
  }

  private static void assertOneLineNaming(BadInputException e, String model, String file) {
    assertTrue(e.getMessage().startsWith(model + ": cannot load the SavedModel, " + file + " is corrupt"),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  private static Path copyOf(Path source, Path target) throws Exception {
    try (var files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path to = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    return target;
  }

  /** Builds and exports GraphTransform + a linear head with the given weights (last row: bias). */
  static void export(TransformSpec spec, float[][] weights, String target, boolean classify)
      throws Exception {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      GraphTransform.Applied applied = GraphTransform.apply(tf, spec);
      int width = spec.denseWidth();
      float[][] w = java.util.Arrays.copyOf(weights, width);
      var kernel = tf.withName("kernel").variable(tf.constant(w));
      var bias = tf.withName("bias").variable(tf.constant(weights[width]));
      Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(applied.dense(), kernel), bias);
      Signature.Builder signature = Signature.builder(ServingModel.SIGNATURE);
      applied.inputs().forEach(signature::input);
      if (classify) {
        Operand<TFloat32> probabilities = tf.nn.softmax(logits);
        signature.output(ServingModel.PROBABILITIES_OUTPUT, probabilities);
        signature.output(
            ServingModel.CLASS_OUTPUT,
            GraphTransform.classStrings(tf, spec, tf.math.argMax(probabilities, tf.constant(1))));
      } else {
        signature.output(
            ServingModel.PREDICTION_OUTPUT, tf.reshape(logits, tf.constant(new int[] {-1})));
      }
      s.initialize();
      SavedModelBundle.exporter(target)
          .withSession(s)
          .withFunction(SessionFunction.create(signature.build(), s))
          .export();
    }
  }

  static float[] logits(TransformSpec spec, Map<String, String> row, float[][] weights) {
    Map<String, Object> withLabel = new HashMap<>(row);
    withLabel.put(
        spec.label().name(),
        spec.label().task().isClassification() ? spec.label().vocabulary().get(0) : "0");
    RawRow raw = Examples.of(spec).parse(withLabel, "row");
    float[] x = new FeatureEncoder(spec).encode(raw);
    int k = weights[0].length;
    float[] out = new float[k];
    for (int j = 0; j < k; j++) {
      double sum = weights[x.length][j];
      for (int i = 0; i < x.length; i++) {
        sum += (double) x[i] * weights[i][j];
      }
      out[j] = (float) sum;
    }
    return out;
  }

  static float[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double total = 0;
    double[] e = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      e[i] = Math.exp(logits[i] - max);
      total += e[i];
    }
    float[] out = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = (float) (e[i] / total);
    }
    return out;
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** {@code width + 1} rows (the last is the bias) of {@code k} columns. */
  static float[][] randomWeights(int width, int k, long seed) {
    Random random = new Random(seed);
    float[][] w = new float[width + 1][k];
    for (float[] row : w) {
      for (int j = 0; j < k; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    return w;
  }
}
