package io.beamtrain.trainer.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * The contents of {@code data/transform.json}: the schema plus the full-pass analyzer results.
 *
 * <p>It is the single source of truth shared by the preprocess pipeline (which writes it), the
 * trainer (which turns Examples into dense feature vectors with it) and the exported serving graph
 * (which applies the same transform in-graph to raw inputs).
 *
 * <p>Example encoding contract (what the preprocess pipeline writes and the trainer reads): every
 * tf.Example carries every feature listed here, one value each. NUMERIC features are a {@code
 * float_list} with NaN for a missing value; CATEGORICAL features are a {@code bytes_list} (UTF-8)
 * with {@code ""} for a missing value. The label is a {@code bytes_list} holding the raw class
 * string for classification tasks and a {@code float_list} for regression.
 *
 * <p>The trainer's dense encoding of a row, in feature order: NUMERIC becomes one value {@code
 * (x - mean) / stddev} (NaN becomes 0, i.e. the mean; stddev 0 is treated as 1); CATEGORICAL
 * becomes a one-hot block of {@code vocabulary.size() + oovBuckets} values, where a value absent
 * from the vocabulary (including "") lights the OOV slot.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TransformSpec(
    @JsonProperty("version") int version,
    @JsonProperty("label") LabelSpec label,
    @JsonProperty("features") List<FeatureSpec> features,
    @JsonProperty("split") SplitSpec split) {

  public static final int CURRENT_VERSION = 1;
  public static final String FILE_NAME = "transform.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public TransformSpec {
    Objects.requireNonNull(label, "label");
    features = List.copyOf(features);
    Objects.requireNonNull(split, "split");
  }

  /** What the model predicts; decides the loss, the head and the serving outputs. */
  public enum Task {
    REGRESSION,
    BINARY_CLASSIFICATION,
    MULTICLASS_CLASSIFICATION;

    public boolean isClassification() {
      return this != REGRESSION;
    }
  }

  public enum FeatureType {
    NUMERIC,
    CATEGORICAL
  }

  /**
   * The label column. For classification, {@code vocabulary} lists the classes (class index = list
   * position); for regression it is null and {@code mean}/{@code stddev} describe the target.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LabelSpec(
      @JsonProperty("name") String name,
      @JsonProperty("task") Task task,
      @JsonProperty("vocabulary") List<String> vocabulary,
      @JsonProperty("mean") Double mean,
      @JsonProperty("stddev") Double stddev) {

    public int numClasses() {
      return task.isClassification() ? vocabulary.size() : 1;
    }
  }

  /**
   * One input column. NUMERIC: {@code mean, stddev, min, max} over non-missing training values.
   * CATEGORICAL: {@code vocabulary} ordered by descending frequency then value, and {@code
   * oovBuckets} (1) extra slot(s) for unseen values. {@code missing} counts missing cells.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FeatureSpec(
      @JsonProperty("name") String name,
      @JsonProperty("type") FeatureType type,
      @JsonProperty("mean") Double mean,
      @JsonProperty("stddev") Double stddev,
      @JsonProperty("min") Double min,
      @JsonProperty("max") Double max,
      @JsonProperty("missing") long missing,
      @JsonProperty("vocabulary") List<String> vocabulary,
      @JsonProperty("oov_buckets") Integer oovBuckets) {

    public static final int DEFAULT_OOV_BUCKETS = 1;

    public static FeatureSpec numeric(
        String name, double mean, double stddev, double min, double max, long missing) {
      return new FeatureSpec(
          name, FeatureType.NUMERIC, mean, stddev, min, max, missing, null, null);
    }

    public static FeatureSpec categorical(
        String name, List<String> vocabulary, int oovBuckets, long missing) {
      return new FeatureSpec(
          name,
          FeatureType.CATEGORICAL,
          null,
          null,
          null,
          null,
          missing,
          List.copyOf(vocabulary),
          oovBuckets);
    }

    /** Width of this feature in the dense encoding. */
    public int denseWidth() {
      return type == FeatureType.NUMERIC ? 1 : vocabulary.size() + oovBucketsOrDefault();
    }

    /** {@code oov_buckets}, 1 when transform.json leaves it out. */
    public int oovBucketsOrDefault() {
      return oovBuckets == null ? DEFAULT_OOV_BUCKETS : oovBuckets;
    }
  }

  /**
   * The deterministic train/eval split and where its shards are, relative to the data directory.
   */
  public record SplitSpec(
      @JsonProperty("eval_fraction") double evalFraction,
      @JsonProperty("seed") long seed,
      @JsonProperty("train_examples") long trainExamples,
      @JsonProperty("eval_examples") long evalExamples,
      @JsonProperty("train_files") List<String> trainFiles,
      @JsonProperty("eval_files") List<String> evalFiles) {}

  /** Width of the dense feature vector the model sees. */
  public int denseWidth() {
    return features.stream().mapToInt(FeatureSpec::denseWidth).sum();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses transform.json; {@code source} names the file in the error message. */
  public static TransformSpec fromJson(String json, String source) {
    try {
      return JSON.readValue(json, TransformSpec.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a valid transform.json: " + e.getMessage(), e);
    }
  }
}
