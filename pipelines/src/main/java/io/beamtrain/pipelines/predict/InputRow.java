package io.beamtrain.pipelines.predict;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One raw input row to score: where it came from and its cells by column, in the file's column
 * order ({@code null} for an empty or absent cell).
 */
public record InputRow(String file, long line, Map<String, String> cells) implements Serializable {
  public InputRow {
    cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
  }
}
