package io.beamtrain.pipelines.preprocess;

import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StorageSetup;
import io.beamtrain.trainer.BadInputException;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code beamtrain preprocess}: CSV or JSON Lines input to tf.Example shards plus {@code
 * transform.json}, {@code stats.json}, {@code schema.json} and {@code rejected/} under {@code
 * <output>/data/} (see {@link Preprocess}). The work lives in the composite transforms; this class
 * only reads options and runs.
 */
public final class PreprocessPipeline {
  private PreprocessPipeline() {}

  /**
   * The flags of {@code preprocess}: the {@link DataOptions} that say what to read and how to
   * encode it, and where to write it.
   */
  public interface Options extends DataOptions {
    @Description("Output root; the preprocessed data goes to <output>/data/.")
    @Validation.Required
    String getOutput();

    void setOutput(String value);
  }

  /**
   * What to read and how to turn it into examples: every flag of {@code preprocess} but its
   * output, plus the storage flags ({@code --gcsEndpoint}, {@code --gcsNoCredentials}, ...) of
   * {@link StorageOptions}. Shared by every command that preprocesses ({@code preprocess},
   * {@code train}, {@code retrain}), so they accept the same flags with the same defaults.
   */
  public interface DataOptions extends StorageOptions {
    @Description("Input files: a path or glob, local or gs://; CSV with a header or JSON Lines.")
    @Validation.Required
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

    @Description("Input format: AUTO (by file name: .csv, .jsonl/.ndjson/.json), CSV or JSONL.")
    @Default.Enum("AUTO")
    InputFormat getInputFormat();

    void setInputFormat(InputFormat value);

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

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    run(options);
  }

  /**
   * Builds and runs the pipeline and waits for it.
   *
   * @throws IllegalArgumentException for bad flags or a bad schema file (before anything runs)
   * @throws BadInputException when the input is unusable: too many rejected rows (the message
   *     names the counts and the flag), no usable row, too few classes, a CSV header without a
   *     schema column, a file name of no known format
   */
  public static PipelineResult run(Options options) {
    StorageConfig storage = StorageSetup.apply(options);
    Pipeline pipeline = Pipeline.create(options);
    PreprocessSettings settings = PreprocessSettings.fromOptions(options, options.getOutput(), storage);
    pipeline.apply("Preprocess", Preprocess.from(settings));
    return runAndWait(pipeline);
  }

  /**
   * Runs {@code pipeline} to completion. A failure caused by bad input anywhere in the pipeline
   * is rethrown as that {@link BadInputException} (the runner wraps it), so callers can tell bad
   * input (exit status 2) from a failure while running (1).
   */
  public static PipelineResult runAndWait(Pipeline pipeline) {
    PipelineResult result;
    try {
      result = PipelineRuns.start(pipeline);
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException("the pipeline ended in state " + state);
      }
    } catch (RuntimeException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof BadInputException bad) {
          throw new BadInputException(bad.getMessage(), e);
        }
      }
      throw e;
    }
    PipelineRuns.logMetrics(result);
    return result;
  }
}
