package io.beamtrain.pipelines.preprocess;

import io.beamtrain.pipelines.options.StorageOptions;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * What to read and how to turn it into examples: every flag of {@code preprocess} but its
 * output, plus the storage flags ({@code --gcsEndpoint}, {@code --gcsNoCredentials}, ...) of
 * {@link StorageOptions}. Shared by every command that preprocesses ({@code preprocess},
 * {@code train}, {@code retrain}), so they accept the same flags with the same defaults.
 */
public interface DataOptions extends StorageOptions {
  @Description(
      "Input: files (a path or glob, local or gs://; CSV with a header, JSON Lines, Parquet or"
          + " Avro) or a BigQuery table bq://project.dataset.table. Required unless --query.")
  String getInput();

  void setInput(String value);

  @Description("The label column.")
  @Validation.Required
  String getLabel();

  void setLabel(String value);

  @Description("Columns not to use, comma separated.")
  List<String> getIgnore();

  void setIgnore(List<String> value);

  @Description(
      "Schema file (JSON or YAML: label, task, columns with NUMERIC/CATEGORICAL types); inferred"
          + " from the input's first rows when absent.")
  String getSchema();

  void setSchema(String value);

  @Description(
      "Input format: AUTO (by file name: .csv, .jsonl/.ndjson/.json, .parquet, .avro), CSV,"
          + " JSONL, PARQUET or AVRO.")
  @Default.Enum("AUTO")
  InputFormat getInputFormat();

  void setInputFormat(InputFormat value);

  @Description(
      "BigQuery input instead of --input: a GoogleSQL query whose result is read through the"
          + " Storage Read API.")
  String getQuery();

  void setQuery(String value);

  @Description("Where --query runs (a BigQuery location such as US or europe-west1).")
  String getQueryLocation();

  void setQueryLocation(String value);

  @Description(
      "With --input=bq://project.dataset.table: a filter (a SQL boolean expression) that BigQuery"
          + " applies before rows are read, e.g. \"date >= '2026-01-01'\".")
  String getRowRestriction();

  void setRowRestriction(String value);

  @Description(
      "CSV: let a quoted field continue past the end of its line (as BigQuery's"
          + " allowQuotedNewlines). Off by default, so one unclosed quote costs only its line.")
  @Default.Boolean(false)
  boolean getAllowQuotedNewlines();

  void setAllowQuotedNewlines(boolean value);

  @Description("Share of rows held out for evaluation, in [0, 1).")
  @Default.Double(SplitExamples.DEFAULT_EVAL_FRACTION)
  double getEvalFraction();

  void setEvalFraction(double value);

  @Description("Seed of the deterministic train/eval split.")
  @Default.Long(SplitExamples.DEFAULT_SEED)
  long getSplitSeed();

  void setSplitSeed(long value);

  @Description(
      "The run fails when more than this share of input rows is rejected (malformed, bad"
          + " number, missing label).")
  @Default.Double(PreprocessSettings.DEFAULT_MAX_REJECTED_FRACTION)
  double getMaxRejectedFraction();

  void setMaxRejectedFraction(double value);

  @Description(
      "Total number of TFRecord shards, split between train and eval in proportion to"
          + " --evalFraction (at least one each).")
  @Default.Integer(PreprocessSettings.DEFAULT_NUM_SHARDS)
  int getNumShards();

  void setNumShards(int value);

  @Description("Number of train shards; overrides the share of --numShards when positive.")
  @Default.Integer(0)
  int getTrainShards();

  void setTrainShards(int value);

  @Description("Number of eval shards; overrides the share of --numShards when positive.")
  @Default.Integer(0)
  int getEvalShards();

  void setEvalShards(int value);

  @Description("Categorical values seen fewer times than this in training go out of vocabulary.")
  @Default.Long(VocabularyOptions.DEFAULT_MIN_FREQUENCY)
  long getVocabMinFrequency();

  void setVocabMinFrequency(long value);

  @Description("Keep at most this many values per categorical vocabulary (0 = no limit).")
  @Default.Integer(VocabularyOptions.DEFAULT_TOP_K)
  int getVocabTopK();

  void setVocabTopK(int value);
}
