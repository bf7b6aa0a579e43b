package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Opens Parquet files ({@code .parquet}) as {@link TableReader}s with parquet-avro's {@link
 * AvroParquetReader}, the reader Beam's ParquetIO uses, over Beam's file systems ({@link
 * ChannelInputFile}). The schema is the file's: the Avro schema parquet-avro stored in the footer,
 * else the Avro form of the Parquet schema. Only the requested columns are read (a projection),
 * so a wide table costs what its used columns cost; records stream one at a time.
 */
final class ParquetFiles {
  /** The footer key under which parquet-avro stores the writer's Avro schema. */
  private static final String AVRO_SCHEMA_KEY = "parquet.avro.schema";

  private ParquetFiles() {}

  /**
   * A reader of {@code columns} (null: every supported column) of the Parquet file {@code file}.
   *
   * @throws BadInputException when the file is not Parquet, or a column is absent or of an
   *     unsupported type
   */
  static TableReader open(InputFile file, List<String> columns) throws IOException {
    ChannelInputFile input = new ChannelInputFile(file);
    FileMetaData footer = footer(file.name(), input);
    Schema schema = schema(footer);
    // Only the columns read, and never one that cannot be a feature: a list's Avro form does not
    // always convert back to the file's Parquet layout, so projecting it could fail the read.
    List<Schema.Field> fields = schema.getFields().stream()
        .filter(field -> columns == null || columns.contains(field.name()))
        .filter(field -> AvroColumn.of(field.name(), field.schema()).supported())
        .map(field -> new Schema.Field(field, field.schema()))
        .toList();
    Schema projection = Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(input)
        .withDataModel(GenericData.get())
        .set(AvroReadSupport.AVRO_REQUESTED_PROJECTION, projection.toString())
        .build();
    RecordTableReader.Records records = new RecordTableReader.Records() {
      @Override
      public GenericRecord next() throws IOException {
        return reader.read();
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
    try {
      return new RecordTableReader(
          file.name(), "Parquet", schema, records, columns, unscaledDecimals(footer.getSchema()));
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  private static FileMetaData footer(String name, ChannelInputFile input) throws IOException {
    try (ParquetFileReader footer = ParquetFileReader.open(input)) {
      return footer.getFileMetaData();
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(name + ": not a Parquet file: " + e.getMessage(), e);
    }
  }

  private static Schema schema(FileMetaData metadata) {
    String avro = metadata.getKeyValueMetaData().get(AVRO_SCHEMA_KEY);
    return avro != null
        ? new Schema.Parser().parse(avro)
        : new AvroSchemaConverter().convert(metadata.getSchema());
  }

  /**
   * The top-level {@code DECIMAL} columns stored as {@code INT32} or {@code INT64}, with their
   * scale. Avro allows {@code decimal} over bytes and fixed only, so the Avro form of such a column
   * is a plain int or long of the unscaled value: read as it is, 12.34 would be 1234.
   */
  static Map<String, Integer> unscaledDecimals(MessageType parquet) {
    Map<String, Integer> scales = new LinkedHashMap<>();
    for (Type field : parquet.getFields()) {
      if (field.isPrimitive()
          && field.getLogicalTypeAnnotation() instanceof DecimalLogicalTypeAnnotation decimal) {
        PrimitiveTypeName stored = field.asPrimitiveType().getPrimitiveTypeName();
        if (stored == PrimitiveTypeName.INT32 || stored == PrimitiveTypeName.INT64) {
          scales.put(field.getName(), decimal.getScale());
        }
      }
    }
    return scales;
  }
}
