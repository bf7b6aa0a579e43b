package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.LabelSpec;
import io.beamtrain.trainer.data.TransformSpec.SplitSpec;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

class GraphTransformTest {
  static final TransformSpec SPEC =
      new TransformSpec(
          1,
          new LabelSpec("species", Task.MULTICLASS_CLASSIFICATION, List.of("a", "b", "c"), null, null),
          List.of(
              FeatureSpec.numeric("beak length", 43.9219, 5.4596, 32.1, 59.6, 2),
              FeatureSpec.categorical("island", List.of("Biscoe", "Dream", "Torgersen"), 1, 0),
              FeatureSpec.numeric("constant", 7, 0, 7, 7, 0),
              FeatureSpec.categorical("sex", List.of("MALE", "FEMALE"), 0, 11),
              FeatureSpec.numeric("body_mass_g", 4201.754, 801.9545, 2700, 6300, 2),
              FeatureSpec.categorical("never_seen", List.of(), 1, 0)),
          new SplitSpec(0.2, 1, 1, 1, List.of(), List.of()));

  @Test
  void graphOutputEqualsFeatureEncoderOnRandomRows() {
    FeatureEncoder encoder = new FeatureEncoder(SPEC);
    Random random = new Random(3);
    int n = 500;
    List<RawRow> rows = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      rows.add(randomRow(random));
    }
    float[] expected = new float[n * encoder.width()];
    for (int r = 0; r < n; r++) {
      encoder.encode(rows.get(r), expected, r * encoder.width());
    }

    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      GraphTransform.Applied applied = GraphTransform.apply(tf, SPEC);
      List<Tensor> feeds = new ArrayList<>();
      try {
        Session.Runner runner = s.runner();
        for (int i = 0; i < SPEC.features().size(); i++) {
          FeatureSpec f = SPEC.features().get(i);
          Tensor t = column(rows, i, f.type());
          feeds.add(t);
          runner.feed(applied.inputs().get(f.name()), t);
        }
        try (Result result = runner.fetch(applied.dense()).run()) {
          TFloat32 dense = (TFloat32) result.get(0);
          assertEquals(Shape.of(n, encoder.width()), dense.shape());
          float[] actual = new float[n * encoder.width()];
          dense.copyTo(DataBuffers.of(actual, false, false));
          for (int k = 0; k < actual.length; k++) {
            assertEquals(
                expected[k], actual[k], 1e-6,
                "row " + k / encoder.width() + " column " + k % encoder.width());
          }
        }
      } finally {
        feeds.forEach(Tensor::close);
      }
    }
  }

  @Test
  void aColumnNameWithASlashGetsAPlaceholderOfAValidNameAndKeepsItsInputKey() {
    // A transform.json not written by preprocess (which refuses such names) may still hold one.
    TransformSpec spec = new TransformSpec(
        1,
        new LabelSpec("species", Task.MULTICLASS_CLASSIFICATION, List.of("a", "b", "c"), null, null),
        List.of(FeatureSpec.numeric("beak/length", 43.9, 5.4, 32.1, 59.6, 0)),
        new SplitSpec(0.2, 1, 1, 1, List.of(), List.of()));
    try (Graph g = new Graph()) {
      GraphTransform.Applied applied = GraphTransform.apply(Ops.create(g), spec);
      assertEquals("input_beak_length", applied.inputs().get("beak/length").op().name());
    }
  }

  @Test
  void placeholdersAreNamedAsColumnsWithTheContractsTypesAndShape() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      tf.withName("island").constant(1); // an op already holds this name
      GraphTransform.Applied applied = GraphTransform.apply(tf, SPEC);
      assertEquals(
          List.of("beak length", "island", "constant", "sex", "body_mass_g", "never_seen"),
          List.copyOf(applied.inputs().keySet()));
      Map<String, Placeholder<? extends TType>> inputs = applied.inputs();
      assertEquals("body_mass_g", inputs.get("body_mass_g").op().name());
      assertEquals("input_beak_length", inputs.get("beak length").op().name());
      assertEquals("input_island", inputs.get("island").op().name());
      assertEquals(DataType.DT_FLOAT, inputs.get("body_mass_g").asOutput().dataType());
      assertEquals(DataType.DT_STRING, inputs.get("sex").asOutput().dataType());
      assertArrayEquals(new long[] {-1}, inputs.get("sex").shape().asArray());
      assertArrayEquals(new long[] {-1, SPEC.denseWidth()}, applied.dense().shape().asArray());
    }
  }

  @Test
  void classStringsMapIndicesToTheLabelVocabulary() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var classes = GraphTransform.classStrings(tf, SPEC, tf.constant(new int[] {2, 0, 1, 2}));
      try (Result r = s.runner().fetch(classes).run()) {
        TString t = (TString) r.get(0);
        List<String> out = new ArrayList<>();
        t.scalars().forEach(v -> out.add(v.getObject()));
        assertEquals(List.of("c", "a", "b", "c"), out);
      }
    }
  }

  @Test
  void regressionHasNoLabelVocabulary() {
    TransformSpec regression =
        new TransformSpec(
            1,
            new LabelSpec("y", Task.REGRESSION, null, 0.0, 1.0),
            SPEC.features(),
            SPEC.split());
    try (Graph g = new Graph()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> GraphTransform.labelVocabulary(Ops.create(g), regression));
      assertEquals("label 'y' has no class vocabulary (task REGRESSION)", e.getMessage());
    }
  }

  private static RawRow randomRow(Random random) {
    int n = SPEC.features().size();
    float[] numbers = new float[n];
    String[] strings = new String[n];
    for (int i = 0; i < n; i++) {
      FeatureSpec f = SPEC.features().get(i);
      if (f.type() == FeatureType.NUMERIC) {
        numbers[i] =
            random.nextInt(8) == 0
                ? Float.NaN
                : (float) (f.min() + random.nextDouble() * 1.5 * (f.max() - f.min()));
        strings[i] = "";
      } else {
        numbers[i] = Float.NaN;
        int pick = random.nextInt(f.vocabulary().size() + 2);
        strings[i] =
            pick < f.vocabulary().size() ? f.vocabulary().get(pick) : pick % 2 == 0 ? "" : "other";
      }
    }
    return RawRow.classified(numbers, strings, "a");
  }

  private static Tensor column(List<RawRow> rows, int feature, FeatureType type) {
    if (type == FeatureType.NUMERIC) {
      float[] values = new float[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        values[r] = rows.get(r).number(feature);
      }
      return TFloat32.vectorOf(values);
    }
    String[] values = new String[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      values[r] = rows.get(r).string(feature);
    }
    return TString.vectorOf(values);
  }
}
