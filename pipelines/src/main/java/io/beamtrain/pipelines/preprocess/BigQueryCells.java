package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The cells of a BigQuery row (an Avro record of the Storage Read API) as CSV would hold them,
 * typed by {@link AvroColumn} as Avro files are; shared by preprocess and predict. The readers are
 * made once per Avro schema (a read session has one), not per row.
 */
public final class BigQueryCells implements Serializable {
  private final String source;
  private final List<String> columns;
  /** Several read streams call one instance at once (the DirectRunner shares it). */
  private transient Map<Schema, AvroColumn[]> bySchema;

  /** Cells of {@code columns}, in that order, of rows of {@code source} (named in errors). */
  public BigQueryCells(String source, List<String> columns) {
    this.source = source;
    this.columns = List.copyOf(columns);
  }

  public List<String> columns() {
    return columns;
  }

  /** The row's cells; a missing value is null. */
  public String[] of(GenericRecord record) {
    AvroColumn[] readers = readers().computeIfAbsent(record.getSchema(), this::readers);
    String[] values = new String[readers.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = readers[i].cell(record.get(columns.get(i)));
    }
    return values;
  }

  private synchronized Map<Schema, AvroColumn[]> readers() {
    if (bySchema == null) {
      bySchema = new ConcurrentHashMap<>();
    }
    return bySchema;
  }

  private AvroColumn[] readers(Schema schema) {
    AvroColumn[] readers = new AvroColumn[columns.size()];
    for (int i = 0; i < readers.length; i++) {
      Schema.Field field = schema.getField(columns.get(i));
      if (field == null) {
        throw new BadInputException(
            source + ": rows lack column '" + columns.get(i) + "' of the schema");
      }
      readers[i] = AvroColumn.of(field.name(), field.schema());
      if (!readers[i].supported()) {
        throw new BadInputException(source + ": column '" + field.name()
            + "' is " + readers[i].unsupported() + ", which cannot be a feature");
      }
    }
    return readers;
  }
}
