package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes test inputs as Parquet and Avro files with the real libraries (parquet-avro's writer,
 * Avro's {@link DataFileWriter}), e.g. a CSV file's rows under an Avro schema.
 */
public final class TypedFiles {
  /** Penguins' columns typed as a Parquet or Avro export would type them. */
  public static final Schema PENGUINS = SchemaBuilder.record("penguin").fields()
      .requiredString("species").requiredString("island")
      .optionalDouble("beak_length_mm").optionalDouble("beak_depth_mm")
      .optionalLong("flipper_length_mm").optionalLong("body_mass_g")
      .optionalString("sex").endRecord();

  private TypedFiles() {}

  /** Writes {@code records} as an Avro object container file (deflate-compressed). */
  public static void writeAvro(Path file, Schema schema, List<GenericRecord> records)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (DataFileWriter<GenericRecord> writer =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      writer.setCodec(CodecFactory.deflateCodec(1));
      writer.create(schema, file.toFile());
      for (GenericRecord record : records) {
        writer.append(record);
      }
    }
  }

  /** Writes {@code records} as a Parquet file (Snappy-compressed, parquet-avro's writer). */
  public static void writeParquet(Path file, Schema schema, List<GenericRecord> records)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(schema)
            .withDataModel(GenericData.get())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      for (GenericRecord record : records) {
        writer.write(record);
      }
    }
  }

  /**
   * The rows of a simple CSV file (a header, no quoted cells) as records of {@code schema}, whose
   * fields are the header's columns, each {@code long}, {@code double} or {@code string},
   * nullable; an empty cell is null.
   */
  public static List<GenericRecord> fromCsv(List<String> lines, Schema schema) {
    String[] header = lines.get(0).split(",", -1);
    List<GenericRecord> records = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      GenericRecord record = new GenericData.Record(schema);
      for (int i = 0; i < header.length; i++) {
        Schema field = schema.getField(header[i]).schema();
        Schema.Type type = field.isUnion() ? field.getTypes().get(1).getType() : field.getType();
        String cell = cells[i];
        record.put(header[i], cell.isEmpty() ? null : switch (type) {
          case LONG -> Long.parseLong(cell);
          case DOUBLE -> Double.parseDouble(cell);
          default -> cell;
        });
      }
      records.add(record);
    }
    return records;
  }
}
