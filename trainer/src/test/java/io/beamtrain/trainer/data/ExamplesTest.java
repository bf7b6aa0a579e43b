package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.LabelSpec;
import io.beamtrain.trainer.data.TransformSpec.SplitSpec;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

class ExamplesTest {
  static final TransformSpec PENGUINS =
      new TransformSpec(
          1,
          new LabelSpec(
              "species", Task.MULTICLASS_CLASSIFICATION, List.of("Adelie", "Gentoo"), null, null),
          List.of(
              FeatureSpec.numeric("beak", 44, 5, 32, 60, 2),
              FeatureSpec.categorical("island", List.of("Biscoe", "Dream"), 1, 0)),
          new SplitSpec(0.2, 1, 10, 2, List.of("train-0.tfrecord.gz"), List.of("eval-0.tfrecord.gz")));

  static final TransformSpec FLIGHTS =
      new TransformSpec(
          1,
          new LabelSpec("delay", Task.REGRESSION, null, 5.0, 20.0),
          List.of(FeatureSpec.numeric("distance", 800, 500, 50, 3000, 0)),
          new SplitSpec(0.2, 1, 10, 2, List.of(), List.of()));

  final Examples penguins = Examples.of(PENGUINS);

  @Test
  void encodesNumbersAsFloatListsStringsAsBytesAndMissingAsNanAndEmpty() {
    Map<String, Object> row = new HashMap<>();
    row.put("beak", "39.5");
    row.put("island", null);
    row.put("species", "Gentoo");
    row.put("ignored_column", "whatever");
    Example e = penguins.encode(row);
    Map<String, Feature> f = e.getFeatures().getFeatureMap();
    assertEquals(3, f.size());
    assertEquals(39.5f, f.get("beak").getFloatList().getValue(0));
    assertEquals("", f.get("island").getBytesList().getValue(0).toStringUtf8());
    assertEquals("Gentoo", f.get("species").getBytesList().getValue(0).toStringUtf8());

    row.put("beak", "  ");
    row.put("island", "Dream");
    Map<String, Feature> g = penguins.encode(row).getFeatures().getFeatureMap();
    assertTrue(Float.isNaN(g.get("beak").getFloatList().getValue(0)));
    assertEquals("Dream", g.get("island").getBytesList().getValue(0).toStringUtf8());
  }

  @Test
  void regressionLabelIsAFloat() {
    Example e = Examples.of(FLIGHTS).encode(Map.of("distance", 1452, "delay", "17"));
    assertEquals(17f, e.getFeatures().getFeatureMap().get("delay").getFloatList().getValue(0));
    assertEquals(1452f, e.getFeatures().getFeatureMap().get("distance").getFloatList().getValue(0));
  }

  @Test
  void decodeInvertsEncode() {
    RawRow row = penguins.parse(Map.of("beak", 41.25, "island", "Biscoe", "species", "Adelie"), "r");
    byte[] bytes = penguins.encode(row).toByteArray();
    assertEquals(row, penguins.decode(bytes, "f", 0));
    RawRow missing = penguins.parse(Map.of("species", "Gentoo"), "r");
    assertEquals(missing, penguins.decode(penguins.encode(missing), "f", 0));
    assertTrue(Float.isNaN(missing.number(0)));
    assertEquals("", missing.string(1));
  }

  @Test
  void unparsableNumberNamesSourceAndFeature() {
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> penguins.encode(Map.of("beak", "long", "species", "Adelie"), "in.csv line 7"));
    assertEquals("in.csv line 7: feature 'beak': cannot parse 'long' as a number", e.getMessage());
  }

  @Test
  void missingLabelWhenEncodingNamesTheLabel() {
    BadInputException e =
        assertThrows(
            BadInputException.class, () -> penguins.encode(Map.of("beak", 1), "in.csv line 3"));
    assertEquals("in.csv line 3: label 'species' is missing", e.getMessage());
    BadInputException r =
        assertThrows(
            BadInputException.class,
            () -> Examples.of(FLIGHTS).encode(Map.of("delay", "NaN"), "in.csv line 4"));
    assertTrue(r.getMessage().startsWith("in.csv line 4: label 'delay' is NaN"), r.getMessage());
  }

  @Test
  void missingFeatureNamesFeatureFileAndRecord() {
    Example e = mutate(features -> features.removeFeature("island"));
    assertBad(e, "shard-3.gz: record 17: feature 'island' is missing");
  }

  @Test
  void bytesWhereFloatExpectedIsAWrongKind() {
    Example e = mutate(features -> features.putFeature("beak", bytes("39.1")));
    assertBad(e, "shard-3.gz: record 17: feature 'beak' is a bytes_list, expected a float_list");
  }

  @Test
  void floatWhereBytesExpectedIsAWrongKind() {
    Example e = mutate(features -> features.putFeature("island", floats(1f)));
    assertBad(e, "shard-3.gz: record 17: feature 'island' is a float_list, expected a bytes_list");
  }

  @Test
  void int64AndEmptyFeaturesAreWrongKinds() {
    Feature ints = Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(3)).build();
    assertBad(
        mutate(features -> features.putFeature("beak", ints)),
        "shard-3.gz: record 17: feature 'beak' is a int64_list, expected a float_list");
    assertBad(
        mutate(features -> features.putFeature("beak", Feature.getDefaultInstance())),
        "shard-3.gz: record 17: feature 'beak' is a feature with no value list, expected a"
            + " float_list");
  }

  @Test
  void otherThanOneValueIsRejected() {
    Feature two = Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(1).addValue(2)).build();
    assertBad(
        mutate(features -> features.putFeature("beak", two)),
        "shard-3.gz: record 17: feature 'beak' has 2 values, expected exactly 1");
    Feature none = Feature.newBuilder().setBytesList(BytesList.getDefaultInstance()).build();
    assertBad(
        mutate(features -> features.putFeature("island", none)),
        "shard-3.gz: record 17: feature 'island' has 0 values, expected exactly 1");
  }

  @Test
  void labelOutsideTheVocabularyNamesLabelValueAndVocabulary() {
    assertBad(
        mutate(features -> features.putFeature("species", bytes("Chinstrap"))),
        "shard-3.gz: record 17: label 'species' has value 'Chinstrap', which is not in the label"
            + " vocabulary [Adelie, Gentoo]");
  }

  @Test
  void missingLabelWhenDecodingNamesTheLabel() {
    assertBad(
        mutate(features -> features.removeFeature("species")),
        "shard-3.gz: record 17: label 'species' is missing");
  }

  @Test
  void nonFiniteRegressionTargetIsRejected() {
    Examples flights = Examples.of(FLIGHTS);
    Example e =
        Example.newBuilder()
            .setFeatures(
                org.tensorflow.proto.Features.newBuilder()
                    .putFeature("distance", floats(100))
                    .putFeature("delay", floats(Float.NaN)))
            .build();
    BadInputException ex =
        assertThrows(BadInputException.class, () -> flights.decode(e, "f.gz", 2));
    assertTrue(ex.getMessage().startsWith("f.gz: record 2: label 'delay' is NaN"), ex.getMessage());
  }

  @Test
  void garbageBytesAreNotAnExample() {
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> penguins.decode(new byte[] {(byte) 0xff, 1, 2}, "f.gz", 4));
    assertTrue(e.getMessage().startsWith("f.gz: record 4: not a tf.Example"), e.getMessage());
  }

  @Test
  void withoutALabelVocabularyAnyClassDecodes() {
    Examples schemaOnly =
        Examples.of(
            new LabelSpec("species", Task.MULTICLASS_CLASSIFICATION, null, null, null),
            PENGUINS.features());
    RawRow row = schemaOnly.parse(Map.of("species", "Emperor"), "r");
    assertEquals("Emperor", schemaOnly.decode(schemaOnly.encode(row), "f", 0).labelClass());
  }

  private Example mutate(UnaryOperator<org.tensorflow.proto.Features.Builder> change) {
    Example valid = penguins.encode(Map.of("beak", 40, "island", "Dream", "species", "Adelie"));
    return valid.toBuilder()
        .setFeatures(change.apply(valid.getFeatures().toBuilder()))
        .build();
  }

  private void assertBad(Example e, String message) {
    BadInputException ex =
        assertThrows(BadInputException.class, () -> penguins.decode(e, "shard-3.gz", 17));
    assertEquals(message, ex.getMessage());
  }

  private static Feature bytes(String s) {
    return Feature.newBuilder()
        .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8(s)))
        .build();
  }

  private static Feature floats(float v) {
    return Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(v)).build();
  }
}
