package io.beamtrain.pipelines.preprocess;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;

/**
 * The result of {@link AnalyzeColumns} over one split: its row count and one {@link
 * ColumnStatistics} per schema column, in schema order.
 */
public record TableStatistics(
    @JsonProperty("examples") long rows,
    @JsonProperty("columns") List<ColumnStatistics> columns)
    implements Serializable {

  public TableStatistics {
    columns = List.copyOf(columns);
  }

  public ColumnStatistics column(String name) {
    return columns.stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no statistics for column '" + name + "'"));
  }
}
