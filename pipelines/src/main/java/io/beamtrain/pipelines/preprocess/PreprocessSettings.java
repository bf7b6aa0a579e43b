package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Everything a preprocess run needs, validated once when built; messages name the flag. Built from
 * {@link DataOptions} by {@link #fromOptions}, or directly in tests and by other
 * pipelines that embed {@link Preprocess} (e.g. {@code train}).
 *
 * @param input path or glob of the input files, local or {@code gs://}
 * @param output the run's output root; the data goes to {@code <output>/data}
 * @param label the label column
 * @param ignore columns not to use
 * @param schemaFile a schema file (JSON or YAML, see {@link DataSchema}), or null to infer one
 * @param inputFormat the input format; {@link InputFormat#AUTO} picks it from each file's name
 * @param csvDialect whether CSV quoted fields may span lines ({@code --allowQuotedNewlines})
 * @param evalFraction share of rows held out for evaluation, in [0, 1); default 0.2
 * @param splitSeed seed of the deterministic split; default 42
 * @param trainShards number of train shards, at least 1
 * @param evalShards number of eval shards, at least 1
 * @param vocabulary which categorical values enter the vocabularies
 * @param maxRejectedFraction the run fails when a larger share of input rows is rejected
 * @param storageConfig how to reach {@code gs://} for the metadata files
 */
public record PreprocessSettings(
    String input,
    String output,
    String label,
    List<String> ignore,
    String schemaFile,
    InputFormat inputFormat,
    CsvDialect csvDialect,
    double evalFraction,
    long splitSeed,
    int trainShards,
    int evalShards,
    VocabularyOptions vocabulary,
    double maxRejectedFraction,
    StorageConfig storageConfig)
    implements Serializable {

  /** Default of {@code --maxRejectedFraction}: up to one row in ten may be rejected. */
  public static final double DEFAULT_MAX_REJECTED_FRACTION = 0.1;
  /** Default of {@code --numShards}: the shard budget shared by the two splits. */
  public static final int DEFAULT_NUM_SHARDS = 4;
  /** Name of the data directory under the output root. */
  public static final String DATA_DIRECTORY = "data";

  public PreprocessSettings {
    requireText(input, "--input");
    requireText(output, "--output");
    requireText(label, "--label");
    ignore = ignore == null ? List.of() : List.copyOf(ignore);
    Objects.requireNonNull(inputFormat, "inputFormat");
    Objects.requireNonNull(csvDialect, "csvDialect");
    Objects.requireNonNull(vocabulary, "vocabulary");
    Objects.requireNonNull(storageConfig, "storageConfig");
    if (!(evalFraction >= 0.0 && evalFraction < 1.0)) {
      throw new IllegalArgumentException("--evalFraction must be in [0, 1), was " + evalFraction);
    }
    if (trainShards < 1) {
      throw new IllegalArgumentException("--trainShards must be at least 1, was " + trainShards);
    }
    if (evalShards < 1) {
      throw new IllegalArgumentException("--evalShards must be at least 1, was " + evalShards);
    }
    if (!(maxRejectedFraction >= 0.0 && maxRejectedFraction <= 1.0)) {
      throw new IllegalArgumentException(
          "--maxRejectedFraction must be in [0, 1], was " + maxRejectedFraction);
    }
  }

  private static void requireText(String value, String flag) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(flag + " is required");
    }
  }

  /**
   * Settings with the defaults: AUTO format, eval fraction 0.2, seed 42, {@value
   * #DEFAULT_NUM_SHARDS} shards split between train and eval, default vocabulary options,
   * rejected fraction up to {@value #DEFAULT_MAX_REJECTED_FRACTION}, {@link
   * StorageConfig#defaults()}.
   */
  public static PreprocessSettings of(String input, String output, String label) {
    return new PreprocessSettings(
        input,
        output,
        label,
        List.of(),
        null,
        InputFormat.AUTO,
        CsvDialect.STRICT,
        SplitExamples.DEFAULT_EVAL_FRACTION,
        SplitExamples.DEFAULT_SEED,
        trainShardsOf(DEFAULT_NUM_SHARDS, SplitExamples.DEFAULT_EVAL_FRACTION),
        evalShardsOf(DEFAULT_NUM_SHARDS, SplitExamples.DEFAULT_EVAL_FRACTION),
        VocabularyOptions.defaults(),
        DEFAULT_MAX_REJECTED_FRACTION,
        StorageConfig.defaults());
  }

  /**
   * Reads the pipeline options. {@code --numShards} is a budget split in proportion to the
   * fractions (at least one shard each: 4 shards at eval fraction 0.2 give 3 train + 1 eval);
   * {@code --trainShards} / {@code --evalShards} override either part.
   *
   * @param output the run's output root ({@code --output} for preprocess, the run directory for
   *     retrain); the data goes to {@code <output>/data}
   * @param storage from {@code StorageSetup.apply(options)}, which must run once per options
   */
  public static PreprocessSettings fromOptions(
      DataOptions options, String output, StorageConfig storage) {
    int numShards = options.getNumShards();
    if (numShards < 2) {
      throw new IllegalArgumentException(
          "--numShards must be at least 2 (one train and one eval shard), was " + numShards);
    }
    if (options.getTrainShards() < 0 || options.getEvalShards() < 0) {
      throw new IllegalArgumentException(
          (options.getTrainShards() < 0 ? "--trainShards" : "--evalShards")
              + " must be at least 1 (or 0 for a share of --numShards)");
    }
    double evalFraction = options.getEvalFraction();
    int train = options.getTrainShards() > 0 ? options.getTrainShards()
        : trainShardsOf(numShards, evalFraction);
    int eval = options.getEvalShards() > 0 ? options.getEvalShards()
        : evalShardsOf(numShards, evalFraction);
    return new PreprocessSettings(
        inputOf(options),
        output,
        options.getLabel(),
        options.getIgnore() == null ? List.of() : options.getIgnore(),
        options.getSchema(),
        options.getInputFormat(),
        new CsvDialect(options.getAllowQuotedNewlines()),
        evalFraction,
        options.getSplitSeed(),
        train,
        eval,
        new VocabularyOptions(options.getVocabMinFrequency(), options.getVocabTopK()),
        options.getMaxRejectedFraction(),
        storage);
  }

  /** {@code --input}, or for {@code --query} {@link BigQueryRead#QUERY_INPUT}; not both. */
  private static String inputOf(DataOptions options) {
    if (options.getQuery() == null) {
      return options.getInput();
    }
    if (options.getInput() != null) {
      throw new IllegalArgumentException(
          "--input and --query are alternatives (files or a table, or a query's result); pass one");
    }
    return BigQueryRead.QUERY_INPUT;
  }

  static int trainShardsOf(int numShards, double evalFraction) {
    return Math.max(1, Math.min(numShards - 1, (int) Math.round(numShards * (1 - evalFraction))));
  }

  static int evalShardsOf(int numShards, double evalFraction) {
    return Math.max(1, numShards - trainShardsOf(numShards, evalFraction));
  }

  /** {@code <output>/data}. */
  public String dataDir() {
    return StoragePaths.join(output, DATA_DIRECTORY);
  }

  public PreprocessSettings withIgnore(List<String> columns) {
    return new PreprocessSettings(input, output, label, columns, schemaFile, inputFormat, csvDialect,
        evalFraction, splitSeed, trainShards, evalShards, vocabulary, maxRejectedFraction,
        storageConfig);
  }

  public PreprocessSettings withSchemaFile(String path) {
    return new PreprocessSettings(input, output, label, ignore, path, inputFormat, csvDialect,
        evalFraction, splitSeed, trainShards, evalShards, vocabulary, maxRejectedFraction,
        storageConfig);
  }

  public PreprocessSettings withInputFormat(InputFormat format) {
    return new PreprocessSettings(input, output, label, ignore, schemaFile, format, csvDialect,
        evalFraction, splitSeed, trainShards, evalShards, vocabulary, maxRejectedFraction,
        storageConfig);
  }

  public PreprocessSettings withCsvDialect(CsvDialect dialect) {
    return new PreprocessSettings(input, output, label, ignore, schemaFile, inputFormat, dialect,
        evalFraction, splitSeed, trainShards, evalShards, vocabulary, maxRejectedFraction,
        storageConfig);
  }

  public PreprocessSettings withSplit(double fraction, long seed) {
    return new PreprocessSettings(input, output, label, ignore, schemaFile, inputFormat, csvDialect,
        fraction, seed, trainShards, evalShards, vocabulary, maxRejectedFraction, storageConfig);
  }

  public PreprocessSettings withShards(int train, int eval) {
    return new PreprocessSettings(input, output, label, ignore, schemaFile, inputFormat, csvDialect,
        evalFraction, splitSeed, train, eval, vocabulary, maxRejectedFraction, storageConfig);
  }

  public PreprocessSettings withVocabulary(VocabularyOptions options) {
    return new PreprocessSettings(input, output, label, ignore, schemaFile, inputFormat, csvDialect,
        evalFraction, splitSeed, trainShards, evalShards, options, maxRejectedFraction,
        storageConfig);
  }

  public PreprocessSettings withMaxRejectedFraction(double fraction) {
    return new PreprocessSettings(input, output, label, ignore, schemaFile, inputFormat, csvDialect,
        evalFraction, splitSeed, trainShards, evalShards, vocabulary, fraction, storageConfig);
  }

  public PreprocessSettings withStorageConfig(StorageConfig config) {
    return new PreprocessSettings(input, output, label, ignore, schemaFile, inputFormat, csvDialect,
        evalFraction, splitSeed, trainShards, evalShards, vocabulary, maxRejectedFraction,
        config);
  }
}
