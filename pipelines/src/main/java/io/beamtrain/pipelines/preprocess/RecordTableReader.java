package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * A {@link TableReader} over the records of a typed file (Avro, or Parquet read through its Avro
 * schema): the columns and their types come from the file's schema ({@link AvroColumn}), values
 * become the cell text CSV would hold ({@link AvroValueText}), and a record's position is its
 * 1-based index in the file. Records are never malformed at this level (the file's schema already
 * guarantees their shape); a file that does not decode fails with its name and record index.
 */
final class RecordTableReader implements TableReader {

  /** The records of one file, read one at a time. */
  interface Records extends Closeable {
    /** The next record, or null at the end of the file. */
    GenericRecord next() throws IOException;
  }

  private final String file;
  private final String format;
  private final Records records;
  private final List<String> columns;
  private final AvroColumn[] readers;
  /** Where each column is in the records read, which may be a projection of the file's schema. */
  private int[] positions;
  private final Map<String, FeatureType> declaredTypes = new LinkedHashMap<>();
  private final Map<String, String> unsupported = new LinkedHashMap<>();
  private GenericRecord current;
  private long index;

  /**
   * @param format the format's name, for messages ("Parquet", "Avro")
   * @param schema the file's record schema (the records read may have a projection of it)
   * @param requested the columns to read, or null for every supported one
   * @throws BadInputException when a requested column is absent or of an unsupported type
   */
  RecordTableReader(
      String file, String format, Schema schema, Records records, List<String> requested) {
    this(file, format, schema, records, requested, Map.of());
  }

  /**
   * @param unscaledDecimals integer columns that hold decimals, by name, with their scale (a
   *     Parquet {@code DECIMAL} over {@code INT32}/{@code INT64}, see {@link
   *     AvroValueText#UNSCALED_DECIMAL})
   */
  RecordTableReader(
      String file, String format, Schema schema, Records records, List<String> requested,
      Map<String, Integer> unscaledDecimals) {
    this.file = file;
    this.format = format;
    this.records = records;
    if (schema.getType() != Schema.Type.RECORD) {
      throw new BadInputException(
          file + ": the " + format + " schema is a " + schema.getType().getName()
              + ", not a record of columns");
    }
    Map<String, AvroColumn> byName = new LinkedHashMap<>();
    for (AvroColumn declared : AvroColumn.of(schema)) {
      Integer scale = unscaledDecimals.get(declared.name());
      AvroColumn column = scale != null && declared.text() == AvroValueText.INTEGER
          ? declared.asUnscaledDecimal(scale)
          : declared;
      byName.put(column.name(), column);
      if (!column.supported()) {
        unsupported.put(column.name(), column.unsupported());
      }
    }
    this.columns = requested == null
        ? byName.values().stream().filter(AvroColumn::supported).map(AvroColumn::name).toList()
        : List.copyOf(requested);
    List<String> lacking = new ArrayList<>();
    readers = new AvroColumn[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i);
      AvroColumn column = byName.get(name);
      if (column == null) {
        lacking.add(name);
        continue;
      }
      if (!column.supported()) {
        throw new BadInputException(file + ": column '" + name + "' is " + column.unsupported()
            + ", which cannot be a feature; pass --ignore=" + name + " or derive a scalar column");
      }
      readers[i] = column;
      declaredTypes.put(name, column.type());
    }
    if (!lacking.isEmpty()) {
      throw new BadInputException(file + ": the " + format + " schema lacks column(s) " + lacking
          + " of the schema; its columns: " + List.copyOf(byName.keySet()));
    }
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public Map<String, FeatureType> declaredTypes() {
    return declaredTypes;
  }

  @Override
  public Map<String, String> unsupportedColumns() {
    return unsupported;
  }

  @Override
  public boolean next() throws IOException {
    try {
      current = records.next();
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(file + ": record " + (index + 1) + " does not decode as "
          + format + ": " + e.getMessage(), e);
    }
    if (current == null) {
      return false;
    }
    if (positions == null) {
      positions = new int[columns.size()];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = current.getSchema().getField(columns.get(i)).pos();
      }
    }
    index++;
    return true;
  }

  @Override
  public long line() {
    return index;
  }

  @Override
  public RejectReason problem() {
    return null;
  }

  @Override
  public String problemDetail() {
    return null;
  }

  @Override
  public String[] takeValues() {
    String[] values = new String[columns.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = readers[i].cell(current.get(positions[i]));
    }
    return values;
  }

  /** The record as JSON (Avro's rendering), for the rejected-rows output. */
  @Override
  public String rawText() {
    return current.toString();
  }

  @Override
  public void close() throws IOException {
    records.close();
  }
}
