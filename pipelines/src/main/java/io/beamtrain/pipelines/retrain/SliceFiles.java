package io.beamtrain.pipelines.retrain;

import com.google.api.services.bigquery.model.Table;
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
 * StorageSetup.apply} first). A BigQuery table's slice is one line instead ({@link #ofTable}).
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
      throw new IllegalArgumentException(pattern + " is a BigQuery table: see ofTable");
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

  /**
   * A BigQuery table's slice, identified as files are by name and size: one line with the table,
   * its {@code lastModifiedTime} and {@code numRows} (from its metadata, read now) and the {@code
   * --rowRestriction}. A table whose data changes (a load, DML, a copy into it) is a new slice; the
   * same table unchanged is the same one, so a rerun finds the earlier run.
   *
   * @throws UsageException naming {@code --input} when the table's content cannot be identified:
   *     no modification time (a view) or rows still arriving in its streaming buffer
   */
  public static SliceFiles ofTable(BigQueryRead table) {
    Table metadata = table.metadata();
    String name = table.name();
    if (metadata.getLastModifiedTime() == null || metadata.getNumRows() == null
        || "VIEW".equals(metadata.getType()) || "MATERIALIZED_VIEW".equals(metadata.getType())) {
      throw new UsageException("--input=" + name + ": " + (metadata.getType() == null
          ? "the table" : "a " + metadata.getType()) + " without a modification time and row"
          + " count, so retrain cannot tell a rerun of this slice from new data; write the slice"
          + " to a table (CREATE TABLE ... AS SELECT) and retrain on that");
    }
    if (metadata.getStreamingBuffer() != null) {
      throw new UsageException("--input=" + name + ": rows are still being streamed into it (it"
          + " has a streaming buffer), so it is not a fixed slice and a rerun could not be told"
          + " from new data; retrain on a table that is no longer written, e.g. a copy");
    }
    return new SliceFiles(name, List.of(name + " lastModifiedTime=" + metadata.getLastModifiedTime()
        + " numRows=" + metadata.getNumRows()
        + (table.rowRestriction() == null ? "" : " rowRestriction=" + table.rowRestriction())));
  }
}
