package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.io.Compression;

/**
 * The formats an input file can have. {@link #AUTO} (the default) picks one per file from its
 * name: {@code .csv} is CSV, {@code .jsonl}, {@code .ndjson} and {@code .json} are JSON Lines,
 * {@code .parquet} Parquet and {@code .avro} Avro; a compression suffix that Beam recognises
 * ({@code .gz}, {@code .bz2}, {@code .zst}, ...) is looked through, and the file is decompressed
 * while read. Parquet and Avro files carry their own schema ({@link AvroColumn} maps its types)
 * and compress inside the file.
 */
public enum InputFormat {
  AUTO,
  CSV,
  JSONL,
  PARQUET,
  AVRO;

  /** Whether the format's files declare their column types (Parquet, Avro). */
  public boolean isTyped() {
    return this == PARQUET || this == AVRO;
  }

  /**
   * The concrete format of {@code file}: this one, or for {@link #AUTO} the one its name says.
   *
   * @throws BadInputException for {@link #AUTO} and a name with none of the known suffixes
   */
  public InputFormat resolve(String file) {
    if (this != AUTO) {
      return this;
    }
    String name = file.toLowerCase(Locale.ROOT);
    String compressionSuffix = Compression.detect(name).getSuggestedSuffix();
    if (!compressionSuffix.isEmpty() && name.endsWith(compressionSuffix)) {
      name = name.substring(0, name.length() - compressionSuffix.length());
    }
    if (name.endsWith(".csv")) {
      return CSV;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
      return JSONL;
    }
    if (name.endsWith(".parquet")) {
      return PARQUET;
    }
    if (name.endsWith(".avro")) {
      return AVRO;
    }
    throw new BadInputException(
        "cannot tell the format of "
            + file
            + " from its name (expected .csv, .jsonl, .ndjson, .json, .parquet or .avro); pass"
            + " --inputFormat=CSV, JSONL, PARQUET or AVRO");
  }

  /**
   * Opens a reader of {@code columns} (null: every column the file has) over {@code file}: text
   * formats through a UTF-8 check (records with other bytes are rejected as {@link
   * RejectReason#INVALID_ENCODING}), CSV in {@code dialect}.
   */
  public TableReader open(InputFile file, List<String> columns, CsvDialect dialect)
      throws IOException {
    InputFormat format = resolve(file.name());
    if (format == PARQUET) {
      return ParquetFiles.open(file, columns);
    }
    return format.open(file.name(), file.stream(), columns, dialect);
  }

  /** {@link #open(InputFile, List, CsvDialect)} of every column the file has. */
  public TableReader openAllColumns(InputFile file, CsvDialect dialect) throws IOException {
    return open(file, null, dialect);
  }

  /**
   * Opens a reader of {@code columns} over {@code file}'s text, CSV in the {@link
   * CsvDialect#STRICT} dialect. The text is already decoded, so invalid UTF-8 cannot be told from
   * U+FFFD: prefer {@link #open(String, InputStream, List, CsvDialect)}.
   */
  public TableReader open(String file, Reader text, List<String> columns) throws IOException {
    return open(file, text, columns, CsvDialect.STRICT);
  }

  /**
   * Opens a reader of {@code columns} over {@code file}'s bytes, decoded as UTF-8; records with
   * bytes that are not UTF-8 are rejected as {@link RejectReason#INVALID_ENCODING}.
   */
  public TableReader open(String file, InputStream bytes, List<String> columns, CsvDialect dialect)
      throws IOException {
    return switch (resolve(file)) {
      case AVRO -> AvroFiles.open(file, bytes, columns);
      case PARQUET -> throw new IllegalArgumentException(
          file + ": Parquet is read from a seekable file; open it as an InputFile");
      default -> open(file, new Utf8CheckingReader(bytes), columns, dialect);
    };
  }

  /**
   * Opens a reader of every column the file has (CSV: its header; JSONL: every field seen), CSV
   * in the {@link CsvDialect#STRICT} dialect; see {@link #open(String, Reader, List)} on decoding.
   */
  public TableReader openAllColumns(String file, Reader text) throws IOException {
    return open(file, text, null, CsvDialect.STRICT);
  }

  /** {@link #openAllColumns(String, Reader)} over bytes, rejecting invalid UTF-8. */
  public TableReader openAllColumns(String file, InputStream bytes, CsvDialect dialect)
      throws IOException {
    return open(file, bytes, null, dialect);
  }

  /** A reader of {@code columns}, or of every column when null. */
  private TableReader open(String file, Reader text, List<String> columns, CsvDialect dialect)
      throws IOException {
    return switch (resolve(file)) {
      case CSV -> new CsvTableReader(file, text, dialect, columns);
      case JSONL -> columns == null
          ? JsonLinesTableReader.discoveringColumns(text)
          : new JsonLinesTableReader(text, columns);
      case PARQUET, AVRO -> throw new IllegalArgumentException(
          file + ": " + resolve(file) + " is binary; open it from its bytes, not as text");
      case AUTO -> throw new AssertionError("resolve() never returns AUTO");
    };
  }
}
