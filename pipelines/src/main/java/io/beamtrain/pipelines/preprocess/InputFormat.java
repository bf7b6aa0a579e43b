package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.Reader;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.io.Compression;

/**
 * The formats an input file can have. {@link #AUTO} (the default) picks one per file from its
 * name: {@code .csv} is CSV, {@code .jsonl}, {@code .ndjson} and {@code .json} are JSON Lines; a
 * compression suffix that Beam recognises ({@code .gz}, {@code .bz2}, {@code .zst}, ...) is looked
 * through, and the file is decompressed while read.
 */
public enum InputFormat {
  AUTO,
  CSV,
  JSONL;

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
    throw new BadInputException(
        "cannot tell the format of "
            + file
            + " from its name (expected .csv, .jsonl, .ndjson or .json); pass --inputFormat=CSV"
            + " or --inputFormat=JSONL");
  }

  /** Opens a reader of {@code columns} over {@code file}'s text. */
  public TableReader open(String file, Reader text, List<String> columns) throws IOException {
    return switch (resolve(file)) {
      case CSV -> new CsvTableReader(file, text, columns);
      case JSONL -> new JsonLinesTableReader(text, columns);
      case AUTO -> throw new AssertionError("resolve() never returns AUTO");
    };
  }

  /** Opens a reader of every column the file has (CSV: its header; JSONL: every field seen). */
  public TableReader openAllColumns(String file, Reader text) throws IOException {
    return switch (resolve(file)) {
      case CSV -> CsvTableReader.allColumns(file, text);
      case JSONL -> JsonLinesTableReader.discoveringColumns(text);
      case AUTO -> throw new AssertionError("resolve() never returns AUTO");
    };
  }
}
