package io.beamtrain.pipelines.preprocess;

import java.util.HexFormat;

/**
 * The position of a BigQuery row in rejected-row output. A table has no row number, and the
 * Storage Read API hands BigQueryIO's parser no stream or offset (and a read session's streams
 * differ from run to run), so the key is the row's content: 16 hex digits of {@link
 * RowFingerprint} (seed 0) over the cells of the columns read, as read. The same row read with
 * the same columns has the same key in every run, and the {@code raw} beside it holds the values
 * to find it with a WHERE clause. Computed for rejected rows only.
 */
public final class RowKey {
  private RowKey() {}

  /** The key of a row whose cells (null = missing) are {@code cells}. */
  public static String of(String[] cells) {
    long fingerprint = new RowFingerprint(0).of(ParsedRow.wrap(cells.clone()));
    return HexFormat.of().toHexDigits(fingerprint);
  }
}
