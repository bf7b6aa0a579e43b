package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.PipelineRuns;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.predict.CsvHeaders;
import io.beamtrain.pipelines.predict.Predict;
import io.beamtrain.pipelines.predict.PredictionsPrefix;
import io.beamtrain.pipelines.predict.ReadInputRows;
import io.beamtrain.pipelines.predict.ReadTableRows;
import io.beamtrain.pipelines.predict.Rejection;
import io.beamtrain.pipelines.predict.SharedServingModels;
import io.beamtrain.pipelines.preprocess.BigQueryRead;
import io.beamtrain.pipelines.preprocess.InputFormat;
import io.beamtrain.trainer.serving.ServingModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code beamtrain predict}: scores raw rows (CSV, JSON Lines, Parquet, Avro files, or a BigQuery
 * table or query's result: {@link ReadTableRows}) with an exported SavedModel and
 * writes one JSON line per row to {@code <predictions>-SSSSS-of-NNNNN.jsonl}; rows that cannot be
 * scored go to {@code <predictions>-rejected/rejected-SSSSS-of-NNNNN.jsonl} with file, line and
 * reason, so every row read is in exactly one of the two. The run owns its prefix and refuses one
 * that holds an earlier run's files ({@link PredictionsPrefix}). See {@link ReadInputRows} and
 * {@link Predict}.
 */
public final class PredictPipeline {
  private PredictPipeline() {}

  /** Flags of {@code predict}. */
  public interface Options extends StorageOptions {
    @Description("The model: a SavedModel directory (holding saved_model.pb), or a sweep's best/ "
        + "directory that holds one in saved_model/. Local or gs://.")
    @Validation.Required
    String getModel();

    void setModel(String model);

    @Description("Rows to score: a path or glob, local or gs://; CSV with a header, JSON Lines, "
        + "Parquet or Avro (by file name), with the raw columns the model was trained on; or a "
        + "BigQuery table bq://project.dataset.table. Required unless --query.")
    String getInput();

    void setInput(String input);

    @Description("BigQuery input instead of --input: a GoogleSQL query whose result is scored, "
        + "read through the Storage Read API.")
    String getQuery();

    void setQuery(String query);

    @Description("Where --query runs (a BigQuery location such as US or europe-west1).")
    String getQueryLocation();

    void setQueryLocation(String location);

    @Description("With --input=bq://project.dataset.table: a filter (a SQL boolean expression) "
        + "that BigQuery applies before rows are read.")
    String getRowRestriction();

    void setRowRestriction(String restriction);

    @Description("Output path prefix: predictions go to <prefix>-SSSSS-of-NNNNN.jsonl, rows that "
        + "could not be scored to <prefix>-rejected/, the run's record to <prefix>-run.json. A "
        + "prefix that holds an earlier run's files is refused.")
    @Validation.Required
    String getPredictions();

    void setPredictions(String predictions);

    @Description(
        "Input format: AUTO (by file name: .csv, .jsonl/.ndjson/.json, .parquet, .avro), CSV,"
            + " JSONL, PARQUET or AVRO.")
    @Default.Enum("AUTO")
    InputFormat getInputFormat();

    void setInputFormat(InputFormat format);

    @Description("Rows scored per TensorFlow run.")
    @Default.Integer(Predict.DEFAULT_BATCH_SIZE)
    int getBatchSize();

    void setBatchSize(int size);

    @Description("Write only this input column (e.g. an id) beside the outputs; default: every "
        + "input column.")
    String getKeyColumn();

    void setKeyColumn(String column);
  }

  /** Rows read, scored and rejected by a run, and where the outputs are. */
  public record Outcome(long rows, long scored, long rejected, String predictions, String rejectedPrefix) {
    public String summary() {
      return "predict: " + rows + " rows read, " + scored + " scored, " + rejected + " rejected\n"
          + "predictions: " + predictions + "-SSSSS-of-NNNNN.jsonl"
          + (rejected > 0 ? "\nrejected: " + rejectedPrefix + "-SSSSS-of-NNNNN.jsonl" : "");
    }
  }

  /** A launched run: the runner's result and the prefix it owns. */
  public record Launched(PipelineResult result, PredictionsPrefix prefix, Map<String, Object> record) {}

  public static Outcome run(Options options) {
    return run(options, null);
  }

  /** {@link #run(Options)} reaching BigQuery through {@code bigQuery} (Beam's fakes in tests). */
  public static Outcome run(Options options, BigQueryServices bigQuery) {
    Launched launched = launch(options, PipelineRuns::runToCompletion, bigQuery);
    PipelineResult result = launched.result();
    Map<String, Object> record = new LinkedHashMap<>(launched.record());
    long rows = counter(result, "rows_read");
    long scored = counter(result, "rows_scored");
    long rejected = counter(result, "rows_rejected");
    record.put("rows", rows);
    record.put("scored", scored);
    record.put("rejected", rejected);
    launched.prefix().record(record, "DONE");
    return new Outcome(rows, scored, rejected, launched.prefix().predictions(), launched.prefix().rejected());
  }

  /**
   * Checks what can be checked before any row is scored, claims the {@code --predictions} prefix
   * ({@link PredictionsPrefix}), builds the pipeline and hands it to {@code runner} (the CLI waits
   * for it; a template may only submit it). Before the pipeline starts: the model loads (a corrupt
   * SavedModel fails here, naming the file) and every CSV input's header has the model's columns.
   * A run that fails gives the prefix back unless it wrote output.
   */
  public static Launched launch(Options options, Function<Pipeline, PipelineResult> runner) {
    return launch(options, runner, null);
  }

  /**
   * {@link #launch(Options, Function)} reaching BigQuery through {@code bigQuery}; null for the
   * real services.
   */
  public static Launched launch(
      Options options, Function<Pipeline, PipelineResult> runner, BigQueryServices bigQuery) {
    BigQueryRead table = tableOf(options, bigQuery);
    if (options.getBatchSize() < 1) {
      throw new UsageException("--batchSize must be at least 1, was " + options.getBatchSize());
    }
    StorageConfig storage = PipelineStorage.config(options);
    String model = resolveModel(options.getModel(), storage);
    PredictionsPrefix prefix = PredictionsPrefix.of(options.getPredictions(), storage);
    Pipeline pipeline = Pipeline.create(options); // registers the options' file systems
    // Held until the runner returns, so a DirectRunner run reuses this load.
    ServingModel loaded = SharedServingModels.acquire(model, storage);
    try {
      List<String> columns = loaded.inputNames();
      PCollectionTuple rows;
      if (table != null) {
        // Checks the table's schema for the model's columns, as a CSV header is checked.
        rows = pipeline.apply("ReadTableRows",
            ReadTableRows.from(table, columns, options.getKeyColumn()));
      } else {
        CsvHeaders.checkInput(options.getInput(), options.getInputFormat(), columns);
        rows = pipeline.apply("ReadRows",
            ReadInputRows.from(options.getInput(), options.getInputFormat()).requiring(columns));
      }
      PCollectionTuple scored = rows.get(ReadInputRows.ROWS).apply("Predict",
          Predict.with(model, storage).withBatchSize(options.getBatchSize()).withKeyColumn(options.getKeyColumn()));
      scored.get(Predict.PREDICTIONS)
          .apply("WritePredictions", TextIO.write().to(prefix.predictions()).withSuffix(".jsonl"));
      PCollectionList.of(rows.get(ReadInputRows.REJECTED))
          .and(scored.get(Predict.REJECTED))
          .apply("AllRejected", Flatten.pCollections())
          .apply("RejectedAsJson", MapElements.into(TypeDescriptors.strings()).via(Rejection::toJsonLine))
          .apply("WriteRejected", TextIO.write().to(prefix.rejected()).withSuffix(".jsonl"));
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("model", model);
      record.put("input", table != null ? table.name() : options.getInput());
      if (options.getQuery() != null) {
        record.put("query", options.getQuery());
      }
      prefix.claim(record);
      try {
        return new Launched(runner.apply(pipeline), prefix, record);
      } catch (RuntimeException e) {
        prefix.releaseAfterFailure(record);
        throw e;
      }
    } finally {
      SharedServingModels.release(model, storage);
    }
  }

  /**
   * The BigQuery input {@code --input=bq://...} or {@code --query} names, through {@code
   * services} when not null; null for files.
   */
  private static BigQueryRead tableOf(Options options, BigQueryServices services) {
    String input = options.getInput();
    if (options.getQuery() != null && input != null) {
      throw new UsageException(
          "--input and --query are alternatives (files or a table, or a query's result); pass one");
    }
    if (options.getQuery() == null && (input == null || input.isBlank())) {
      throw new UsageException("--input is required (files, or bq://project.dataset.table), or --query");
    }
    if (options.getQuery() == null && !BigQueryRead.isBigQuery(input)) {
      if (options.getRowRestriction() != null) {
        throw new UsageException("--rowRestriction filters a BigQuery table"
            + " (--input=bq://project.dataset.table); --input=" + input + " is files");
      }
      return null;
    }
    BigQueryRead read = BigQueryRead.of(options.getQuery() != null ? BigQueryRead.QUERY_INPUT : input,
        options.getQuery(), options.getQueryLocation(), options.getRowRestriction())
        .withProjectOf(options);
    return services == null ? read : read.withServices(services);
  }

  /** The SavedModel directory {@code --model} names: itself, or its {@code saved_model/}. */
  public static String resolveModel(String model, StorageConfig config) {
    Storage storage = Storages.forPath(model, config);
    if (storage.exists(StoragePaths.join(model, "saved_model.pb"))) {
      return model;
    }
    String nested = StoragePaths.join(model, "saved_model");
    if (storage.exists(StoragePaths.join(nested, "saved_model.pb"))) {
      return nested;
    }
    throw new UsageException("--model: no saved_model.pb in " + model + " or " + nested);
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter : result.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(Predict.METRICS_NAMESPACE, name)).build())
        .getCounters()) {
      total += committedOrAttempted(counter);
    }
    return total;
  }

  private static long committedOrAttempted(MetricResult<Long> counter) {
    try {
      return counter.getCommitted();
    } catch (UnsupportedOperationException e) {
      return counter.getAttempted();
    }
  }
}
