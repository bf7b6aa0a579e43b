package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Opens Avro object container files ({@code .avro}) as {@link TableReader}s with Avro's own
 * reader, the one Beam's AvroIO reads with, streaming the file front to back: one record in memory
 * at a time, the schema from the file's header.
 */
final class AvroFiles {
  private AvroFiles() {}

  /**
   * A reader of {@code columns} (null: every supported column) of the Avro file {@code name}.
   *
   * @throws BadInputException when the bytes are not an Avro file, or a column is absent or of an
   *     unsupported type
   */
  static TableReader open(String name, InputStream bytes, List<String> columns)
      throws IOException {
    DataFileStream<GenericRecord> stream;
    try {
      stream = new DataFileStream<>(
          new BufferedInputStream(bytes, 1 << 16), new GenericDatumReader<>());
    } catch (IOException | RuntimeException e) {
      bytes.close();
      throw new BadInputException(name + ": not an Avro object container file: " + e.getMessage(),
          e);
    }
    RecordTableReader.Records records = new RecordTableReader.Records() {
      @Override
      public GenericRecord next() {
        return stream.hasNext() ? stream.next() : null;
      }

      @Override
      public void close() throws IOException {
        stream.close();
      }
    };
    try {
      return new RecordTableReader(name, "Avro", stream.getSchema(), records, columns);
    } catch (RuntimeException e) {
      stream.close();
      throw e;
    }
  }
}
