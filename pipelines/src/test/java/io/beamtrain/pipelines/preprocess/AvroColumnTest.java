package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The documented mapping of Avro (and Parquet-as-Avro) types to feature types and cell text. */
class AvroColumnTest {
  private static final Schema DECIMAL_BYTES =
      LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
  private static final Schema DECIMAL_FIXED =
      LogicalTypes.decimal(9, 3).addToSchema(Schema.createFixed("d", null, null, 4));

  static Stream<Arguments> supported() {
    Schema enumSchema = Schema.createEnum("colour", null, null, List.of("RED", "BLUE"));
    return Stream.of(
        Arguments.of(Schema.create(Schema.Type.INT), 42, FeatureType.NUMERIC, "42"),
        Arguments.of(Schema.create(Schema.Type.LONG), -7L, FeatureType.NUMERIC, "-7"),
        Arguments.of(Schema.create(Schema.Type.FLOAT), 0.1f, FeatureType.NUMERIC, "0.1"),
        Arguments.of(Schema.create(Schema.Type.DOUBLE), 39.1, FeatureType.NUMERIC, "39.1"),
        Arguments.of(Schema.create(Schema.Type.DOUBLE), Double.NaN, FeatureType.NUMERIC, "NaN"),
        Arguments.of(Schema.create(Schema.Type.DOUBLE), Double.POSITIVE_INFINITY,
            FeatureType.NUMERIC, "Infinity"),
        Arguments.of(Schema.create(Schema.Type.BOOLEAN), true, FeatureType.CATEGORICAL, "true"),
        Arguments.of(Schema.create(Schema.Type.STRING), new org.apache.avro.util.Utf8("Biscoe"),
            FeatureType.CATEGORICAL, "Biscoe"),
        Arguments.of(enumSchema, new GenericData.EnumSymbol(enumSchema, "RED"),
            FeatureType.CATEGORICAL, "RED"),
        Arguments.of(LogicalTypes.uuid().addToSchema(Schema.create(Schema.Type.STRING)),
            "6f1c2d3e-0000-4000-8000-000000000001", FeatureType.CATEGORICAL,
            "6f1c2d3e-0000-4000-8000-000000000001"),
        Arguments.of(DECIMAL_BYTES, decimalBytes("-12.34"), FeatureType.NUMERIC, "-12.34"),
        Arguments.of(DECIMAL_FIXED, new Conversions.DecimalConversion().toFixed(
                new BigDecimal("1.500"), DECIMAL_FIXED, DECIMAL_FIXED.getLogicalType()),
            FeatureType.NUMERIC, "1.500"),
        Arguments.of(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)), 19000,
            FeatureType.NUMERIC, "19000"),
        Arguments.of(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT)),
            3_600_500, FeatureType.NUMERIC, "3600.500"),
        Arguments.of(LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG)),
            1_000_001L, FeatureType.NUMERIC, "1.000001"),
        Arguments.of(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)),
            1_700_000_000_123L, FeatureType.NUMERIC, "1700000000.123"),
        Arguments.of(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)),
            -1L, FeatureType.NUMERIC, "-0.000001"),
        Arguments.of(
            LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG)),
            2_000L, FeatureType.NUMERIC, "2.000"),
        Arguments.of(SchemaBuilder.unionOf().nullType().and().doubleType().endUnion(), 2.5,
            FeatureType.NUMERIC, "2.5"),
        Arguments.of(SchemaBuilder.unionOf().stringType().and().nullType().endUnion(), "x",
            FeatureType.CATEGORICAL, "x"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("supported")
  void mapsSupportedTypesAndWritesTheirValuesAsCsvWouldHoldThem(
      Schema schema, Object value, FeatureType type, String text) {
    AvroColumn column = AvroColumn.of("c", schema);
    assertTrue(column.supported(), column.toString());
    assertEquals(type, column.type());
    assertEquals(text, column.cell(value));
    assertNull(column.cell(null), "null is a missing value");
  }

  static Stream<Arguments> unsupported() {
    return Stream.of(
        Arguments.of(Schema.createArray(Schema.create(Schema.Type.INT)), "an array"),
        Arguments.of(Schema.createMap(Schema.create(Schema.Type.INT)), "a map"),
        Arguments.of(SchemaBuilder.record("r").fields().requiredInt("a").endRecord(),
            "a record (nested fields)"),
        Arguments.of(SchemaBuilder.unionOf().intType().and().stringType().endUnion(),
            "a union [\"int\",\"string\"] (only [null, T] is supported)"),
        Arguments.of(Schema.create(Schema.Type.BYTES), "of type bytes"),
        Arguments.of(Schema.createFixed("f", null, null, 8), "of type fixed"),
        Arguments.of(Schema.create(Schema.Type.NULL), "of type null"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("unsupported")
  void rejectsOtherTypesNamingThem(Schema schema, String why) {
    AvroColumn column = AvroColumn.of("tags", schema);
    assertFalse(column.supported());
    assertEquals(why, column.unsupported());
  }

  @Test
  void aRecordSchemaGivesOneColumnPerFieldInOrder() {
    Schema record = SchemaBuilder.record("row").fields()
        .requiredString("species").optionalDouble("mass").name("tags")
        .type().array().items().stringType().noDefault().endRecord();
    List<AvroColumn> columns = AvroColumn.of(record);
    assertEquals(List.of("species", "mass", "tags"), columns.stream().map(AvroColumn::name).toList());
    assertEquals(FeatureType.NUMERIC, columns.get(1).type());
    assertFalse(columns.get(2).supported());
  }

  private static ByteBuffer decimalBytes(String value) {
    return new Conversions.DecimalConversion().toBytes(
        new BigDecimal(value), DECIMAL_BYTES, DECIMAL_BYTES.getLogicalType());
  }
}
