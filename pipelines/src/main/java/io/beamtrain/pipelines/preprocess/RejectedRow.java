package io.beamtrain.pipelines.preprocess;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * An input row that could not be used: where it came from, why, and its raw text.
 *
 * @param file the input file's full path
 * @param line the 1-based physical line on which the record starts
 * @param reason the category, counted in {@code stats.json}
 * @param detail what exactly was wrong, naming the column or value
 * @param raw the record's raw text (truncated to {@link #MAX_RAW_CHARS} characters)
 * @param key a BigQuery row's position, which has no line: its {@link RowKey}; null for a file's
 */
public record RejectedRow(
    String file, long line, RejectReason reason, String detail, String raw, String key) {

  /** Raw text longer than this is cut, so one runaway record cannot bloat the rejected files. */
  public static final int MAX_RAW_CHARS = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();

  public RejectedRow {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    raw = raw == null ? "" : raw.length() > MAX_RAW_CHARS ? raw.substring(0, MAX_RAW_CHARS) : raw;
  }

  /** A file's rejected row: its position is the file and line. */
  public RejectedRow(String file, long line, RejectReason reason, String detail, String raw) {
    this(file, line, reason, detail, raw, null);
  }

  /**
   * One line of {@code data/rejected/rejected-*.jsonl}: file, line, (a BigQuery row's) key,
   * reason, detail, raw.
   */
  public String toJsonLine() {
    ObjectNode node = JSON.createObjectNode();
    node.put("file", file);
    node.put("line", line);
    if (key != null) {
      node.put("key", key);
    }
    node.put("reason", reason.name());
    node.put("detail", detail);
    node.put("raw", raw);
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return file + ":" + (key == null ? line : key) + ": " + reason + ": " + detail;
  }
}
