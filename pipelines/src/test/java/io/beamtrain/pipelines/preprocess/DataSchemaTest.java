package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DataSchemaTest {

  @Test
  void yamlAndJsonGiveTheSameSchemaAndItRoundTrips() {
    DataSchema yaml =
        DataSchema.parse(
            """
            label: species
            task: multiclass_classification
            columns:
              - {name: species, type: CATEGORICAL}
              - {name: mass, type: numeric}
            """,
            "schema.yaml");
    DataSchema json =
        DataSchema.parse(
            "{\"label\": \"species\", \"task\": \"MULTICLASS_CLASSIFICATION\", \"columns\": ["
                + "{\"name\": \"species\", \"type\": \"CATEGORICAL\"},"
                + "{\"name\": \"mass\", \"type\": \"NUMERIC\"}]}",
            "schema.json");
    assertEquals(yaml, json);
    assertEquals(Task.MULTICLASS_CLASSIFICATION, yaml.task());
    assertEquals(FeatureType.NUMERIC, yaml.columns().get(1).type());
    assertEquals(yaml, DataSchema.parse(yaml.toJson(), "round trip"));
  }

  @Test
  void inferredSchemaIsLoggedAsOneLineByType() {
    DataSchema schema = DataSchema.parse("""
        label: price
        columns:
          - {name: city, type: CATEGORICAL}
          - {name: price, type: NUMERIC}
          - {name: rooms, type: NUMERIC}
          - {name: area, type: NUMERIC}
          - {name: kind, type: CATEGORICAL}
        """, "schema.yaml");
    assertEquals("label price (NUMERIC); NUMERIC: rooms, area; CATEGORICAL: city, kind",
        SchemaResolver.summary(schema));
  }

  @Test
  void taskIsOptional() {
    DataSchema schema =
        DataSchema.parse(
            "label: y\ncolumns: [{name: x, type: NUMERIC}, {name: y, type: NUMERIC}]", "s");
    assertNull(schema.task());
    assertEquals(1, schema.labelIndex());
    assertEquals(List.of(new DataSchema.Column("x", FeatureType.NUMERIC)), schema.features());
  }

  static Stream<Arguments> invalidSchemas() {
    String features = "columns: [{name: x, type: NUMERIC}, {name: y, type: NUMERIC}]";
    return Stream.of(
        Arguments.of("unknown field", "label: y\n" + features + "\ncolums: []", "colums"),
        Arguments.of("label not a column", "label: z\n" + features, "'label' names column 'z'"),
        Arguments.of("no label", "columns: [{name: x, type: NUMERIC}]", "'label' is required"),
        Arguments.of(
            "duplicate column",
            "label: y\ncolumns: [{name: y, type: NUMERIC}, {name: y, type: NUMERIC}]",
            "column 'y' is listed twice"),
        Arguments.of(
            "no feature",
            "label: y\ncolumns: [{name: y, type: NUMERIC}]",
            "no feature besides the label"),
        Arguments.of(
            "bad type", "label: y\ncolumns: [{name: x, type: TEXT}, {name: y, type: NUMERIC}]",
            "TEXT"),
        Arguments.of(
            "missing type", "label: y\ncolumns: [{name: x}, {name: y, type: NUMERIC}]",
            "column 'x' needs a 'type'"),
        Arguments.of(
            "regression on strings",
            "label: y\ntask: REGRESSION\n"
                + "columns: [{name: x, type: NUMERIC}, {name: y, type: CATEGORICAL}]",
            "REGRESSION needs a NUMERIC label"),
        Arguments.of(
            "classes from numbers",
            "label: y\ntask: BINARY_CLASSIFICATION\n" + features,
            "needs a CATEGORICAL label"),
        Arguments.of("not yaml", "label: [unclosed", "not valid JSON or YAML"),
        Arguments.of("empty", "", "empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSchemas")
  void invalidSchemasNameTheFileAndTheField(String what, String text, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataSchema.parse(text, "my.yaml"));
    assertTrue(e.getMessage().startsWith("my.yaml: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void ignoringColumnsDropsThemButNeverTheLabelOrAnUnknownName() {
    DataSchema schema =
        new DataSchema(
            "y",
            null,
            List.of(
                new DataSchema.Column("a", FeatureType.NUMERIC),
                new DataSchema.Column("b", FeatureType.CATEGORICAL),
                new DataSchema.Column("y", FeatureType.NUMERIC)));
    assertEquals(List.of("b", "y"), schema.withoutColumns(Set.of("a")).columnNames());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> schema.withoutColumns(Set.of("y")))
            .getMessage()
            .contains("--ignore names the label column 'y'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> schema.withoutColumns(Set.of("q")))
            .getMessage()
            .contains("--ignore names column 'q'"));
  }
}
