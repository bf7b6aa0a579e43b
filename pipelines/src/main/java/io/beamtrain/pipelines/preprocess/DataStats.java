package io.beamtrain.pipelines.preprocess;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code data/stats.json}: how many input rows there were, how many became
 * examples and how many were rejected (by reason), missing cells per column, and per split its
 * size, shard files and column statistics. Written by every run, also by one that fails for too
 * many rejected rows, so the numbers behind the failure can be read.
 *
 * @param rows input data rows (header excluded) = examples + rejected
 * @param missing missing cells per column over both splits
 */
@JsonPropertyOrder({
  "input", "rows", "examples", "rejected", "rejected_fraction", "max_rejected_fraction",
  "rejected_by_reason", "missing", "splits"
})
public record DataStats(
    @JsonProperty("input") String input,
    @JsonProperty("rows") long rows,
    @JsonProperty("examples") long examples,
    @JsonProperty("rejected") long rejected,
    @JsonProperty("rejected_fraction") double rejectedFraction,
    @JsonProperty("max_rejected_fraction") double maxRejectedFraction,
    @JsonProperty("rejected_by_reason") Map<String, Long> rejectedByReason,
    @JsonProperty("missing") Map<String, Long> missing,
    @JsonProperty("splits") Map<String, SplitStats> splits) {

  public static final String FILE_NAME = "stats.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One split: its example count, shard files (relative to the data directory), statistics. */
  @JsonPropertyOrder({"examples", "files", "columns"})
  public record SplitStats(
      @JsonProperty("examples") long examples,
      @JsonProperty("files") List<String> files,
      @JsonProperty("columns") List<ColumnStatistics> columns) {}

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static DataStats fromJson(String json) {
    try {
      return JSON.readValue(json, DataStats.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
