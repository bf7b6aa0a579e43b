package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.LabelSpec;
import io.beamtrain.trainer.data.TransformSpec.SplitSpec;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureEncoderTest {
  static final SplitSpec SPLIT = new SplitSpec(0.2, 1, 1, 1, List.of(), List.of());

  static TransformSpec spec(List<FeatureSpec> features) {
    return new TransformSpec(
        1,
        new LabelSpec("y", Task.MULTICLASS_CLASSIFICATION, List.of("a", "b", "c"), null, null),
        features,
        SPLIT);
  }

  final TransformSpec spec =
      spec(
          List.of(
              FeatureSpec.numeric("x", 10, 4, 0, 20, 0),
              FeatureSpec.categorical("color", List.of("red", "green"), 1, 0),
              FeatureSpec.numeric("flat", 3, 0, 3, 3, 0),
              FeatureSpec.categorical("strict", List.of("on"), 0, 0)));
  final FeatureEncoder encoder = new FeatureEncoder(spec);

  @Test
  void layoutFollowsFeatureOrder() {
    assertEquals(1 + 3 + 1 + 1, encoder.width());
    assertEquals(spec.denseWidth(), encoder.width());
    assertEquals(0, encoder.offset(0));
    assertEquals(1, encoder.offset(1));
    assertEquals(4, encoder.offset(2));
    assertEquals(5, encoder.offset(3));
  }

  @Test
  void zScoresNumbersAndOneHotsCategories() {
    RawRow row =
        RawRow.classified(
            new float[] {18, Float.NaN, 5, Float.NaN}, new String[] {null, "green", null, "on"}, "b");
    assertArrayEquals(new float[] {2f, 0, 1, 0, 2f, 1}, encoder.encode(row));
    assertEquals(1, encoder.classIndex(row, "here"));
  }

  @Test
  void missingNumberIsTheMeanAndUnseenOrMissingCategoryLightsTheOovSlot() {
    RawRow row =
        RawRow.classified(
            new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN},
            new String[] {null, "purple", null, "off"},
            "a");
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0}, encoder.encode(row));
    RawRow empty =
        RawRow.classified(
            new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN},
            new String[] {null, "", null, ""},
            "c");
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0}, encoder.encode(empty));
  }

  @Test
  void encodeIntoOverwritesTheWholeBlock() {
    float[] out = new float[encoder.width() + 2];
    java.util.Arrays.fill(out, 9f);
    RawRow row =
        RawRow.classified(new float[] {10, 0, 3, 0}, new String[] {null, "red", null, "on"}, "a");
    encoder.encode(row, out, 2);
    assertArrayEquals(new float[] {9, 9, 0, 1, 0, 0, 0, 1}, out);
  }

  @Test
  void unknownClassNamesLabelValueAndSource() {
    BadInputException e =
        assertThrows(BadInputException.class, () -> encoder.classIndex("z", "eval-0.gz: record 3"));
    assertEquals(
        "eval-0.gz: record 3: label 'y' has value 'z', which is not in the label vocabulary [a, b, c]",
        e.getMessage());
  }

  @Test
  void unsupportedOrBrokenSpecsAreRejectedByName() {
    assertTrue(
        assertThrows(
                BadInputException.class,
                () -> new FeatureEncoder(spec(List.of(FeatureSpec.categorical("c", List.of("a"), 2, 0)))))
            .getMessage()
            .contains("feature 'c' has oov_buckets 2"));
    assertTrue(
        assertThrows(
                BadInputException.class,
                () -> new FeatureEncoder(spec(List.of(FeatureSpec.categorical("c", List.of("a", "a"), 1, 0)))))
            .getMessage()
            .contains("lists 'a' twice"));
    FeatureSpec noMean =
        new FeatureSpec("m", TransformSpec.FeatureType.NUMERIC, null, 1.0, 0.0, 1.0, 0, null, null);
    assertTrue(
        assertThrows(BadInputException.class, () -> new FeatureEncoder(spec(List.of(noMean))))
            .getMessage()
            .contains("feature 'm' has no finite mean"));
    TransformSpec noClasses =
        new TransformSpec(
            1, new LabelSpec("y", Task.BINARY_CLASSIFICATION, List.of(), null, null), List.of(), SPLIT);
    assertTrue(
        assertThrows(BadInputException.class, () -> new FeatureEncoder(noClasses))
            .getMessage()
            .contains("label 'y'"));
  }
}
