package io.beamtrain.pipelines.retrain;

import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.preprocess.BigQueryRead;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The files a slice pattern ({@code --input}) matches now, with their sizes, sorted: the part of
 * a retrain run's identity that says which data it trained on. Matched through Beam's {@link
 * FileSystems}, so globs work on local paths and gs:// alike (register the options with {@code
 * StorageSetup.apply} first).
 */
public record SliceFiles(String pattern, List<String> files) implements Serializable {

  public SliceFiles {
    files = List.copyOf(files);
  }

  /** Matches {@code pattern}; no match is a usage error naming {@code --input}. */
  public static SliceFiles match(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new UsageException("--input is required: the new data slice (a path or glob)");
    }
    if (BigQueryRead.isBigQuery(pattern)) {
      // The run id is a function of the slice's file names and sizes; a table has neither.
      throw new UsageException("--input=" + pattern + ": retrain takes a slice of files (CSV,"
          + " JSON Lines, Parquet, Avro), not a BigQuery table; export the slice to gs:// first");
    }
    MatchResult result;
    try {
      result = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
    } catch (IOException e) {
      throw new UncheckedIOException("--input: cannot list " + pattern, e);
    }
    List<String> files = new ArrayList<>();
    try {
      if (result.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata m : result.metadata()) {
          files.add(m.resourceId().toString() + " " + m.sizeBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("--input: cannot list " + pattern, e);
    }
    if (files.isEmpty()) {
      throw new UsageException("--input: no file matches " + pattern);
    }
    Collections.sort(files);
    return new SliceFiles(pattern, files);
  }
}
