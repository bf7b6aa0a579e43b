package io.beamtrain.pipelines.predict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.pipelines.preprocess.RowKey;
import java.io.Serializable;

/**
 * An input row that could not be scored, written to the rejected output as one JSON line with its
 * file, line, reason (e.g. {@code WRONG_COLUMN_COUNT}, {@code UNPARSABLE_NUMBER}) and detail; a
 * BigQuery row, which has no line, also with its {@code key} ({@link RowKey}).
 */
public record Rejection(String file, long line, String reason, String detail, String raw, String key)
    implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RAW_CHARS = 4096;

  /** A file's row: its position is the file and line. */
  public Rejection(String file, long line, String reason, String detail, String raw) {
    this(file, line, reason, detail, raw, null);
  }

  public String toJsonLine() {
    ObjectNode node = JSON.createObjectNode();
    node.put("file", file);
    node.put("line", line);
    if (key != null) {
      node.put("key", key);
    }
    node.put("reason", reason);
    node.put("detail", detail);
    node.put("raw", raw == null ? "" : raw.length() > MAX_RAW_CHARS ? raw.substring(0, MAX_RAW_CHARS) : raw);
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a rejected row", e);
    }
  }
}
