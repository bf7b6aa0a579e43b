package io.beamtrain.pipelines.predict;

import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.preprocess.CsvDialect;
import io.beamtrain.pipelines.preprocess.InputFile;
import io.beamtrain.pipelines.preprocess.InputFormat;
import io.beamtrain.pipelines.preprocess.TableReader;
import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The CSV inputs' headers (and Parquet and Avro files' schemas) against the columns the model
 * takes. A header that lacks one is the
 * whole file's mistake, not a row's: scoring its rows with that input missing would give every row
 * the same made-up value, so it is an error before anything is scored. {@link #checkInput} runs
 * while the pipeline is built (through Beam's {@link FileSystems}, local or gs://), {@link #check}
 * again for each file as a worker opens it.
 */
public final class CsvHeaders {
  private CsvHeaders() {}

  /**
   * Checks the header of every CSV file and the schema of every Parquet and Avro file {@code
   * pattern} matches (JSON Lines rows are checked one by one as they are read).
   *
   * @throws UsageException when the pattern matches no file
   * @throws BadInputException naming the file and the columns its header lacks
   */
  public static void checkInput(String pattern, InputFormat format, List<String> required) {
    for (MatchResult.Metadata file : match(pattern)) {
      String name = file.resourceId().toString();
      InputFormat resolved = format.resolve(name);
      if (resolved != InputFormat.CSV && !resolved.isTyped()) {
        continue;
      }
      try (TableReader reader = resolved.openAllColumns(
          InputFile.of(file.resourceId()), CsvDialect.STRICT)) {
        check(name, reader.columns(), required);
      } catch (IOException e) {
        throw new UncheckedIOException(name + ": cannot read its header", e);
      }
    }
  }

  /** Throws a BadInputException naming {@code file} when {@code header} lacks a required column. */
  static void check(String file, List<String> header, List<String> required) {
    if (header.isEmpty()) {
      return; // an empty file: no rows to score
    }
    List<String> lacking = required.stream().filter(column -> !header.contains(column)).toList();
    if (!lacking.isEmpty()) {
      throw new BadInputException(file + ": header lacks column(s) " + lacking
          + " that the model takes; header: " + header);
    }
  }

  private static List<MatchResult.Metadata> match(String pattern) {
    try {
      MatchResult match = FileSystems.match(pattern);
      List<MatchResult.Metadata> files =
          match.status() == MatchResult.Status.OK ? new ArrayList<>(match.metadata()) : List.of();
      if (files.isEmpty()) {
        throw new UsageException("--input=" + pattern + " matches no file");
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("--input=" + pattern + ": cannot list files", e);
    }
  }
}
