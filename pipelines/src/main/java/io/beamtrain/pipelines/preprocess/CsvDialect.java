package io.beamtrain.pipelines.preprocess;

import java.io.Serializable;

/**
 * How permissive the CSV reader is. By default ({@link #STRICT}) a quoted field ends on the line
 * it starts on, as with BigQuery's {@code allowQuotedNewlines=false}: one stray quote then costs
 * its own line and nothing more. With {@code allowQuotedNewlines} a quoted field may hold line
 * breaks (RFC 4180); a quote that is never closed still rejects only the line it opened on.
 *
 * @param allowQuotedNewlines whether a quoted field may continue past the end of its line
 */
public record CsvDialect(boolean allowQuotedNewlines) implements Serializable {
  /** Quoted fields end on their line. */
  public static final CsvDialect STRICT = new CsvDialect(false);
  /** Quoted fields may span lines. */
  public static final CsvDialect QUOTED_NEWLINES = new CsvDialect(true);
}
