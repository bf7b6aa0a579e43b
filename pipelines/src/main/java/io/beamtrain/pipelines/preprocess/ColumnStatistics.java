package io.beamtrain.pipelines.preprocess;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.Serializable;
import java.util.List;

/**
 * What a full pass learned about one column of one split. NUMERIC: {@code mean}, population
 * {@code stddev}, {@code min}, {@code max} over the present values. CATEGORICAL: {@code distinct}
 * values seen and the {@code vocabulary} (after {@link VocabularyOptions}) with counts, by
 * descending count then ascending value.
 *
 * @param present cells that were not missing
 * @param missing cells that were missing
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "type", "present", "missing"})
public record ColumnStatistics(
    @JsonProperty("name") String name,
    @JsonProperty("type") FeatureType type,
    @JsonProperty("present") long present,
    @JsonProperty("missing") long missing,
    @JsonProperty("mean") Double mean,
    @JsonProperty("stddev") Double stddev,
    @JsonProperty("min") Double min,
    @JsonProperty("max") Double max,
    @JsonProperty("distinct") Long distinct,
    @JsonProperty("vocabulary") List<ValueCount> vocabulary)
    implements Serializable {

  /** One vocabulary entry. */
  @JsonPropertyOrder({"value", "count"})
  public record ValueCount(@JsonProperty("value") String value, @JsonProperty("count") long count)
      implements Serializable {}

  public static ColumnStatistics numeric(String name, long missing, NumericMoments moments) {
    return new ColumnStatistics(
        name,
        FeatureType.NUMERIC,
        moments.count(),
        missing,
        moments.mean(),
        moments.stddev(),
        moments.min(),
        moments.max(),
        null,
        null);
  }

  public static ColumnStatistics categorical(
      String name, long present, long missing, long distinct, List<ValueCount> vocabulary) {
    return new ColumnStatistics(
        name,
        FeatureType.CATEGORICAL,
        present,
        missing,
        null,
        null,
        null,
        null,
        distinct,
        List.copyOf(vocabulary));
  }

  /** The vocabulary's values, in order. */
  public List<String> vocabularyValues() {
    return vocabulary == null ? List.of() : vocabulary.stream().map(ValueCount::value).toList();
  }
}
