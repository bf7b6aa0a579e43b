package io.beamtrain.pipelines.preprocess;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;

/**
 * Reads the records of one input file as values of a fixed list of named columns, whatever the
 * file's format. After {@link #next()} returns true the current record is either well-formed
 * ({@link #problem()} is null, {@link #takeValues()} gives its cells) or malformed ({@link
 * #problem()} and {@link #problemDetail()} say why). Not thread-safe.
 */
public interface TableReader extends Closeable {

  /** The columns whose values {@link #takeValues()} returns, in that order. */
  List<String> columns();

  /** Advances to the next record; false at the end of the file. */
  boolean next() throws IOException;

  /**
   * The types the file's own schema declares for {@link #columns()} (Parquet, Avro), in column
   * order; empty for the text formats, whose types are inferred from their values.
   */
  default Map<String, FeatureType> declaredTypes() {
    return Map.of();
  }

  /**
   * The file's columns that cannot be features (an array, a map, a nested record...), each with
   * its declared type; {@link #columns()} leaves them out. Empty for the text formats.
   */
  default Map<String, String> unsupportedColumns() {
    return Map.of();
  }

  /**
   * The 1-based line on which the current record starts; for Parquet and Avro, the record's
   * 1-based index in the file.
   */
  long line();

  /** Why the current record is malformed, or null when it is well-formed. */
  RejectReason problem();

  /** What exactly is malformed; null when {@link #problem()} is null. */
  String problemDetail();

  /**
   * The current record's cells, one per requested column in the requested order, {@code null}
   * where the cell is empty or absent. Returns a new array that the caller owns.
   */
  String[] takeValues();

  /** The current record's raw text, for the rejected-rows output. */
  String rawText();
}
