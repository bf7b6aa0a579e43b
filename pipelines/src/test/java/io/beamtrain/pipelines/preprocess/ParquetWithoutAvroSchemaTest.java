package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Parquet file written without an Avro schema in its footer (as Spark, pyarrow or a BigQuery
 * export write them): its Parquet schema's logical types are mapped through their Avro form.
 */
class ParquetWithoutAvroSchemaTest {
  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
      message flights {
        required binary carrier (STRING);
        optional int32 day (DATE);
        optional int64 departed (TIMESTAMP(MICROS,true));
        optional double delay;
        optional int64 passengers;
        optional binary price (DECIMAL(9,2));
        optional boolean late;
        optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
      }
      """);

  @TempDir Path tmp;

  @Test
  void mapsTheParquetSchemasLogicalTypes() throws IOException {
    Path file = tmp.resolve("flights.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(SCHEMA).build()) {
      Group row = groups.newGroup()
          .append("carrier", "AA")
          .append("day", 19000)
          .append("departed", 1_700_000_000_500_000L)
          .append("delay", 12.5)
          .append("passengers", 180L)
          .append("price", org.apache.parquet.io.api.Binary.fromConstantByteArray(
              new java.math.BigInteger("-1234").toByteArray()))
          .append("late", true);
      writer.write(row);
      writer.write(groups.newGroup().append("carrier", "UA"));
    }

    try (TableReader reader = InputFormat.AUTO.openAllColumns(
        InputFile.of(FileSystems.matchNewResource(file.toString(), false)), CsvDialect.STRICT)) {
      assertEquals(Map.of("carrier", FeatureType.CATEGORICAL, "day", FeatureType.NUMERIC,
          "departed", FeatureType.NUMERIC, "delay", FeatureType.NUMERIC,
          "passengers", FeatureType.NUMERIC, "price", FeatureType.NUMERIC,
          "late", FeatureType.CATEGORICAL), reader.declaredTypes());
      assertEquals(List.of("tags"), List.copyOf(reader.unsupportedColumns().keySet()));
      assertTrue(reader.next());
      assertEquals(1, reader.line());
      assertArrayEquals(
          new String[] {"AA", "19000", "1700000000.500000", "12.5", "180", "-12.34", "true"},
          reader.takeValues());
      assertTrue(reader.next());
      assertArrayEquals(new String[] {"UA", null, null, null, null, null, null},
          reader.takeValues());
      assertFalse(reader.next());
    }
  }

  /**
   * Spark and pyarrow store a DECIMAL of up to 18 digits as INT32 or INT64, whose Avro form is a
   * plain int or long: read as such, 12.34 would become 1234.
   */
  @Test
  void aDecimalStoredAsAnIntegerKeepsItsScale() throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType("""
        message prices {
          optional int32 small (DECIMAL(7,2));
          optional int64 large (DECIMAL(15,3));
        }
        """);
    Path file = tmp.resolve("prices.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema).build()) {
      writer.write(groups.newGroup().append("small", -1234).append("large", 123_456_789L));
    }

    try (TableReader reader = InputFormat.AUTO.openAllColumns(
        InputFile.of(FileSystems.matchNewResource(file.toString(), false)), CsvDialect.STRICT)) {
      assertEquals(Map.of("small", FeatureType.NUMERIC, "large", FeatureType.NUMERIC),
          reader.declaredTypes());
      assertTrue(reader.next());
      assertArrayEquals(new String[] {"-12.34", "123456.789"}, reader.takeValues());
    }
  }
}
