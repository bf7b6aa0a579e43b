package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.data.Split;
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
 *   input pattern -> forget previous transform.json -> ParseRows -+-> rows -> SplitExamples
 *                                                                  |     train -> AnalyzeColumns, WriteExamples
 *                                                                  |     eval  -> AnalyzeColumns, WriteExamples
 *                                                                  +-> rejected -> WriteRejected
 *                    everything above -> WriteMetadata -> data directory
 * </pre>
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

  private Preprocess(PreprocessSettings settings, DataSchema schema) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.schema = Objects.requireNonNull(schema, "schema");
  }

  /**
   * Preprocessing with the schema {@link SchemaResolver#resolve resolved} now, while the pipeline
   * is built (this reads the schema file or the input's first rows).
   */
  public static Preprocess from(PreprocessSettings settings) {
    return new Preprocess(settings, SchemaResolver.resolve(settings));
  }

  /** Preprocessing with a schema already resolved. */
  public static Preprocess of(PreprocessSettings settings, DataSchema schema) {
    return new Preprocess(settings, schema);
  }

  public DataSchema schema() {
    return schema;
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    String dataDir = settings.dataDir();
    PCollectionTuple parsed =
        begin
            .apply("InputPattern", Create.of(settings.input()).withCoder(StringUtf8Coder.of()))
            .apply("ForgetPreviousDataset", ParDo.of(new ForgetPreviousDatasetFn(settings)))
            .setCoder(StringUtf8Coder.of())
            .apply(
                "ParseRows",
                ParseRows.of(schema)
                    .withFormat(settings.inputFormat())
                    .withCsvDialect(settings.csvDialect()));
    PCollectionTuple splits =
        parsed
            .get(ParseRows.ROWS)
            .apply(
                "SplitExamples",
                SplitExamples.create()
                    .withEvalFraction(settings.evalFraction())
                    .withSeed(settings.splitSeed()));
    PCollection<ParsedRow> train = splits.get(SplitExamples.TRAIN);
    PCollection<ParsedRow> eval = splits.get(SplitExamples.EVAL);
    AnalyzeColumns analyze = AnalyzeColumns.of(schema).withVocabulary(settings.vocabulary());
    return PCollectionTuple.of(
            WriteMetadata.TRAIN_STATISTICS, train.apply("AnalyzeTrain", analyze))
        .and(WriteMetadata.EVAL_STATISTICS, eval.apply("AnalyzeEval", analyze))
        .and(
            WriteMetadata.TRAIN_FILES,
            train.apply(
                "WriteTrain",
                WriteExamples.to(dataDir, Split.TRAIN.fileName(), schema)
                    .withNumShards(settings.trainShards())))
        .and(
            WriteMetadata.EVAL_FILES,
            eval.apply(
                "WriteEval",
                WriteExamples.to(dataDir, Split.EVAL.fileName(), schema)
                    .withNumShards(settings.evalShards())))
        .and(
            WriteMetadata.REJECTED_FILES,
            parsed.get(ParseRows.REJECTED).apply("WriteRejected", WriteRejected.to(dataDir)))
        .and(WriteMetadata.REJECTED, parsed.get(ParseRows.REJECTED))
        .apply("WriteMetadata", WriteMetadata.of(schema, settings));
  }

  /**
   * Deletes a previous run's commit marker and the temporary files an unfinished run left, then
   * passes the input pattern on; every write of this run comes after it.
   */
  private static final class ForgetPreviousDatasetFn extends DoFn<String, String> {
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
