package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.data.TransformSpec;
import java.util.Objects;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * The whole preprocessing as one composite: input files to {@code <output>/data/} with the train
 * and eval shards, {@code rejected/}, {@code stats.json}, {@code schema.json} and, last,
 * {@code transform.json}. Output: one element, the data directory, emitted only after {@code
 * transform.json} is written, so a pipeline can chain training after it ({@code train}).
 *
 * <pre>
 *   input pattern -> forget previous transform.json -> ParseAndWrite, per file -+-> train, eval shard parts -> CommitShards
 *                                                                               +-> train, eval partial statistics -> merged
 *                                                                               +-> rejected -> WriteRejected
 *                    everything above -> WriteMetadata -> data directory
 * </pre>
 *
 * <p>{@link ParseAndWrite} does in one streaming pass per file what {@link ParseRows}, {@link
 * SplitExamples} and {@link AnalyzeColumns} do row by row, with the same results, so rows never
 * become elements and memory does not grow with the row count.
 *
 * <p>A previous run's {@code transform.json} in the same directory is deleted first, so a run that
 * fails half way never leaves a {@code transform.json} that describes shards it overwrote; so are
 * the temporary files of a run that was killed ({@link BeamTempFiles}). Shards
 * of a previous run with another shard count may remain beside the new ones; readers go by the
 * file lists in {@code transform.json}, never by listing the directory.
 */
public final class Preprocess extends PTransform<PBegin, PCollection<String>> {
  private final PreprocessSettings settings;
  private final DataSchema schema;
  /** Where BigQuery input comes from; null for files. */
  private final BigQueryRead bigQuery;

  private Preprocess(PreprocessSettings settings, DataSchema schema, BigQueryRead bigQuery) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.schema = Objects.requireNonNull(schema, "schema");
    this.bigQuery = bigQuery;
  }

  /**
   * Preprocessing with the schema {@link SchemaResolver#resolve resolved} now, while the pipeline
   * is built (this reads the schema file or the input's first rows).
   */
  public static Preprocess from(PreprocessSettings settings) {
    return new Preprocess(settings, SchemaResolver.resolve(settings), null);
  }

  /**
   * {@link #from(PreprocessSettings)}, or for a {@code bq://} input or {@code --query} the
   * BigQuery read that {@code options} describe.
   */
  public static Preprocess from(PreprocessSettings settings, DataOptions options) {
    return BigQueryRead.isBigQuery(settings.input())
        ? from(settings, BigQueryRead.of(settings.input(), options.getQuery(),
            options.getQueryLocation(), options.getRowRestriction()).withProjectOf(options))
        : from(settings);
  }

  /** Preprocessing of BigQuery input, the schema resolved now from the table or query. */
  public static Preprocess from(PreprocessSettings settings, BigQueryRead bigQuery) {
    return new Preprocess(
        settings, SchemaResolver.resolve(settings, Objects.requireNonNull(bigQuery)), bigQuery);
  }

  /** Preprocessing with a schema already resolved. */
  public static Preprocess of(PreprocessSettings settings, DataSchema schema) {
    return new Preprocess(settings, schema, null);
  }

  public DataSchema schema() {
    return schema;
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    String dataDir = settings.dataDir();
    PCollectionTuple parsed =
        bigQuery != null
            ? begin.apply("ReadBigQueryAndWrite", new ReadBigQuery(settings, schema, bigQuery))
            : begin
                .apply("InputPattern", Create.of(settings.input()).withCoder(StringUtf8Coder.of()))
                .apply("ForgetPreviousDataset", ParDo.of(new ForgetPreviousDatasetFn(settings)))
                .setCoder(StringUtf8Coder.of())
                .apply("ParseAndWrite", new ParseAndWrite(settings, schema));
    PCollection<RejectedRow> rejected = parsed.get(ParseAndWrite.REJECTED);
    // Files give one partial per file and split; BigQuery may give none for an empty table.
    boolean partialsGiven = bigQuery == null;
    return PCollectionTuple.of(
            WriteMetadata.TRAIN_STATISTICS,
            parsed
                .get(ParseAndWrite.TRAIN_STATISTICS)
                .apply(
                    "AnalyzeTrain",
                    AnalyzeColumns.mergePartials(schema, settings.vocabulary(), partialsGiven)))
        .and(
            WriteMetadata.EVAL_STATISTICS,
            parsed
                .get(ParseAndWrite.EVAL_STATISTICS)
                .apply(
                    "AnalyzeEval",
                    AnalyzeColumns.mergePartials(schema, settings.vocabulary(), partialsGiven)))
        .and(
            WriteMetadata.TRAIN_FILES,
            parsed.get(ParseAndWrite.TRAIN_PARTS).apply("WriteTrain", new CommitShards(dataDir)))
        .and(
            WriteMetadata.EVAL_FILES,
            parsed.get(ParseAndWrite.EVAL_PARTS).apply("WriteEval", new CommitShards(dataDir)))
        .and(WriteMetadata.REJECTED_FILES, rejected.apply("WriteRejected", WriteRejected.to(dataDir)))
        .apply("WriteMetadata", WriteMetadata.of(schema, settings));
  }

  /**
   * Deletes a previous run's commit marker and the temporary files an unfinished run left, then
   * passes the input pattern on; every write of this run comes after it.
   */
  static final class ForgetPreviousDatasetFn extends DoFn<String, String> {
    private final PreprocessSettings settings;

    ForgetPreviousDatasetFn(PreprocessSettings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element String pattern, OutputReceiver<String> out) {
      String marker = StoragePaths.join(settings.dataDir(), TransformSpec.FILE_NAME);
      Storages.forPath(marker, settings.storageConfig()).delete(marker);
      BeamTempFiles.removeLeftovers(settings.dataDir(), settings.storageConfig());
      out.output(pattern);
    }
  }
}
