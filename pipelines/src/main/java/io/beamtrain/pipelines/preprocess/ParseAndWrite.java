package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.util.Objects;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The row-level work of preprocessing in one step per input file: what {@link ParseRows}, {@link
 * SplitExamples}, {@link AnalyzeColumns} and the shard writing would do row by row, done in one
 * streaming pass over the file. Each file's rows are parsed and checked ({@link FileParser}),
 * split by {@link RowFingerprint}, added to a train and an eval statistics accumulator, and
 * encoded into temporary shard parts ({@link SplitParts}). Outputs: the {@link #TRAIN_PARTS} and
 * {@link #EVAL_PARTS} ({@link ShardPart}s, for {@link CommitShards}), one {@link
 * #TRAIN_STATISTICS} and one {@link #EVAL_STATISTICS} partial accumulator per file (for {@link
 * AnalyzeColumns#mergePartials}) and the {@link #REJECTED} rows.
 *
 * <p>Why one step: no row crosses the runner. A row that is an element costs a runner a
 * per-element call, coder and copy at every step, and the DirectRunner holds every output of a
 * bundle (here, of a whole file) in memory until the bundle is done, then a fixed shard count
 * needs a shuffle that it also holds in memory: with rows as elements, a 10M-row file took 6 GiB.
 * Here memory is the accumulators (the distinct values of the CATEGORICAL columns) and a few
 * chunks per shard in flight, whatever the file's size.
 *
 * <p>The outputs are what the row-level steps gave for a single bundle per file: the same split,
 * the same statistics (one sequential pass per file), and shard {@code s} of a split holds the
 * file's rows of that split with index {@code s mod shards}, in file order.
 */
final class ParseAndWrite extends PTransform<PCollection<String>, PCollectionTuple> {
  static final TupleTag<ShardPart> TRAIN_PARTS = new TupleTag<>() {};
  static final TupleTag<ShardPart> EVAL_PARTS = new TupleTag<>() {};
  static final TupleTag<AnalyzeColumns.Accumulator> TRAIN_STATISTICS = new TupleTag<>() {};
  static final TupleTag<AnalyzeColumns.Accumulator> EVAL_STATISTICS = new TupleTag<>() {};
  static final TupleTag<RejectedRow> REJECTED = new TupleTag<>() {};

  private final PreprocessSettings settings;
  private final DataSchema schema;

  ParseAndWrite(PreprocessSettings settings, DataSchema schema) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.schema = Objects.requireNonNull(schema, "schema");
  }

  @Override
  public PCollectionTuple expand(PCollection<String> filepatterns) {
    PCollectionTuple out =
        filepatterns
            .apply(
                "MatchFiles",
                FileIO.matchAll()
                    .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW)
                    .withOutputParallelization(!matchesOneFile(settings.input())))
            .apply("ReadMatches", FileIO.readMatches())
            .apply(
                "ParseAndWriteFiles",
                ParDo.of(new ParseAndWriteFn(settings, schema))
                    .withOutputTags(
                        TRAIN_PARTS,
                        TupleTagList.of(EVAL_PARTS)
                            .and(TRAIN_STATISTICS)
                            .and(EVAL_STATISTICS)
                            .and(REJECTED)));
    return withCoders(out, settings, schema);
  }

  /**
   * Whether {@code pattern} matches exactly one file now, while the pipeline is built. Then the
   * match's reshuffle (a group by a random key, there to spread many files over workers) has
   * nothing to spread and is left out: on the DirectRunner it is a stage of its own before any
   * row is read. More files at run time are still all read, only not spread.
   */
  static boolean matchesOneFile(String pattern) {
    try {
      MatchResult match = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return match.status() == MatchResult.Status.OK && match.metadata().size() == 1;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Sets the coders of this transform's outputs on {@code out} (also {@link ReadBigQuery}'s). */
  static PCollectionTuple withCoders(
      PCollectionTuple out, PreprocessSettings settings, DataSchema schema) {
    AnalyzeColumns.StatisticsFn statistics =
        new AnalyzeColumns.StatisticsFn(schema, settings.vocabulary());
    out.get(TRAIN_PARTS).setCoder(SerializableCoder.of(ShardPart.class));
    out.get(EVAL_PARTS).setCoder(SerializableCoder.of(ShardPart.class));
    out.get(TRAIN_STATISTICS).setCoder(statistics.accumulatorCoder());
    out.get(EVAL_STATISTICS).setCoder(statistics.accumulatorCoder());
    out.get(REJECTED).setCoder(RejectedRowCoder.of());
    return out;
  }

  private static final class ParseAndWriteFn extends DoFn<FileIO.ReadableFile, ShardPart> {
    private final PreprocessSettings settings;
    private final DataSchema schema;
    private final FileParser parser;
    private final AnalyzeColumns.StatisticsFn statistics;
    private final Counter rows = Metrics.counter("preprocess", "rows");
    private final Counter rejected = Metrics.counter("preprocess", "rejected");
    private transient ExampleEncoder encoder;
    private transient RowFingerprint fingerprint;

    ParseAndWriteFn(PreprocessSettings settings, DataSchema schema) {
      this.settings = settings;
      this.schema = schema;
      this.parser = new FileParser(settings.inputFormat(), settings.csvDialect(), schema);
      this.statistics = new AnalyzeColumns.StatisticsFn(schema, settings.vocabulary());
    }

    @Setup
    public void setup() {
      encoder = new ExampleEncoder(schema);
      fingerprint = new RowFingerprint(settings.splitSeed());
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
        throws IOException {
      String name = file.getMetadata().resourceId().toString();
      SourceWriter writer = new SourceWriter(settings, encoder, fingerprint, statistics);
      SourceWriter.Output written;
      try {
        FileParser.Counts counts =
            parser.parse(
                InputFile.of(file),
                new FileParser.Rows() {
                  @Override
                  public void accepted(ParsedRow row) {
                    writer.add(row);
                  }

                  @Override
                  public void rejected(RejectedRow row) {
                    out.get(REJECTED).output(row);
                  }
                });
        written = writer.finish(name);
        rows.inc(counts.accepted());
        rejected.inc(counts.rejected());
      } catch (IOException | RuntimeException | Error e) {
        writer.abort();
        throw e;
      }
      written.trainParts().forEach(out.get(TRAIN_PARTS)::output);
      written.evalParts().forEach(out.get(EVAL_PARTS)::output);
      out.get(TRAIN_STATISTICS).output(written.trainStatistics());
      out.get(EVAL_STATISTICS).output(written.evalStatistics());
    }
  }
}
