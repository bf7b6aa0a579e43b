package io.beamtrain.pipelines.preprocess;

import static io.beamtrain.trainer.data.TransformSpec.FeatureType.CATEGORICAL;
import static io.beamtrain.trainer.data.TransformSpec.FeatureType.NUMERIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SchemaInferenceTest {

  /** Infers the type of a single feature column from its sampled values ("~" = missing). */
  static FeatureType typeOf(String values, boolean asLabel) {
    List<String[]> rows = new ArrayList<>();
    for (String value : values.split(" ")) {
      String cell = value.equals("~") ? null : value;
      rows.add(asLabel ? new String[] {"f", cell} : new String[] {cell, "l"});
    }
    DataSchema schema = SchemaInference.infer(List.of("x", "y"), rows, "y", "sample.csv");
    return schema.columns().get(asLabel ? 1 : 0).type();
  }

  @ParameterizedTest(name = "feature [{0}] -> {1}")
  @CsvSource({
    "1 2.5 -3e2, NUMERIC",
    "1 ~ NaN 4, NUMERIC",
    "1 2 three, CATEGORICAL",
    "0 1 0 1, NUMERIC",
    "~ ~, CATEGORICAL",
    "1f 2, CATEGORICAL",
    "a b, CATEGORICAL",
  })
  void featureTypes(String values, FeatureType expected) {
    assertEquals(expected, typeOf(values, false));
  }

  @ParameterizedTest(name = "label [{0}] -> {1}")
  @CsvSource({
    "1.5 2.5 3, NUMERIC",
    "0 1 1 0 ~, CATEGORICAL",
    "1 2 2, CATEGORICAL",
    "0 1 2, NUMERIC",
    "0.0 1.0, NUMERIC",
    "yes no, CATEGORICAL",
    "7 7 7, CATEGORICAL",
  })
  void labelTypes(String values, FeatureType expected) {
    assertEquals(expected, typeOf(values, true));
  }

  @ParameterizedTest(name = "one ''{0}'' among 19 numbers")
  @CsvSource({"abc", "45.2X", "inf", "Infinity", "1e400", "1e39"})
  void aFewNonNumbersAmongNumbersKeepTheColumnNumericAndAreCounted(String odd) {
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      rows.add(new String[] {String.valueOf(i * 1.5), "l"});
    }
    rows.add(new String[] {odd, "l"});
    rows.add(new String[] {null, "l"});
    SchemaInference.Inference inference =
        SchemaInference.run(List.of("x", "y"), rows, "y", "sample.csv");
    assertEquals(NUMERIC, inference.schema().columns().get(0).type());
    assertEquals(
        java.util.Map.of("x", new SchemaInference.NonNumeric(1, 20, List.of(odd))),
        inference.nonNumeric());
    assertTrue(
        SchemaResolver.summary(inference.schema(), inference.nonNumeric())
            .contains("x is NUMERIC although 1 of its 20 sampled values are not numbers (e.g. '"
                + odd + "'): their rows are rejected as UNPARSABLE_NUMBER"),
        SchemaResolver.summary(inference.schema(), inference.nonNumeric()));
  }

  @Test
  void moreThanFivePercentNonNumbersMakeTheColumnCategorical() {
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < 18; i++) {
      rows.add(new String[] {String.valueOf(i), "l"});
    }
    rows.add(new String[] {"abc", "l"});
    rows.add(new String[] {"def", "l"});
    SchemaInference.Inference inference =
        SchemaInference.run(List.of("x", "y"), rows, "y", "sample.csv");
    assertEquals(CATEGORICAL, inference.schema().columns().get(0).type());
    assertTrue(inference.nonNumeric().isEmpty());
  }

  @Test
  void taskIsLeftToTheFullPassAndColumnsKeepInputOrder() {
    DataSchema schema =
        SchemaInference.infer(
            List.of("b", "a", "label"),
            List.<String[]>of(new String[] {"1", "x", "p"}, new String[] {"2", "y", "q"}),
            "label",
            "s");
    assertNull(schema.task());
    assertEquals(List.of("b", "a", "label"), schema.columnNames());
    assertEquals(
        List.of(NUMERIC, CATEGORICAL, CATEGORICAL),
        schema.columns().stream().map(DataSchema.Column::type).toList());
  }

  @Test
  void shortRowsCountAsMissingTrailingCells() {
    DataSchema schema =
        SchemaInference.infer(
            List.of("x", "y", "z"),
            Arrays.asList(new String[] {"1", "a"}, new String[] {"2", "b", "3"}),
            "y",
            "s");
    assertEquals(NUMERIC, schema.columns().get(2).type());
  }

  @Test
  void anUnknownLabelNamesTheFlagAndTheColumns() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SchemaInference.infer(List.of("a", "b"), List.of(), "c", "data.csv"));
    assertEquals("--label=c is not a column of data.csv; columns: [a, b]", e.getMessage());
  }
}
