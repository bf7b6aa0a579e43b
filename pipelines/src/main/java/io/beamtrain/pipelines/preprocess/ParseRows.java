package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.util.Objects;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
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
 * Reads every file matching the input file patterns (local or {@code gs://}, globs allowed, a
 * pattern that matches nothing is an error; compressed files decompressed by suffix) and parses it into {@link ParsedRow}s of the schema's columns. Rows that
 * cannot be used leave through the {@link #REJECTED} dead-letter output with their file, line and
 * reason: a CSV record with the wrong cell count or bad quoting, a line that is not a JSON object,
 * a record with bytes that are not UTF-8, a NUMERIC cell that is not a number, a missing label.
 * They are data, not exceptions; only a file
 * whose header lacks a schema column fails the pipeline.
 *
 * <p>Each file is parsed as a whole by one worker: a CSV record may span lines, so a file cannot be
 * split at arbitrary offsets. Counters {@code preprocess/rows} and {@code preprocess/rejected} show
 * progress on runners with a monitoring UI.
 */
public final class ParseRows extends PTransform<PCollection<String>, PCollectionTuple> {
  public static final TupleTag<ParsedRow> ROWS = new TupleTag<>() {};
  public static final TupleTag<RejectedRow> REJECTED = new TupleTag<>() {};

  private final InputFormat format;
  private final CsvDialect dialect;
  private final DataSchema schema;

  private ParseRows(InputFormat format, CsvDialect dialect, DataSchema schema) {
    this.format = Objects.requireNonNull(format, "format");
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    this.schema = Objects.requireNonNull(schema, "schema");
  }

  /**
   * Parses rows of {@code schema}, the format chosen per file from its name, CSV in the {@link
   * CsvDialect#STRICT} dialect.
   */
  public static ParseRows of(DataSchema schema) {
    return new ParseRows(InputFormat.AUTO, CsvDialect.STRICT, schema);
  }

  public ParseRows withFormat(InputFormat newFormat) {
    return new ParseRows(newFormat, dialect, schema);
  }

  public ParseRows withCsvDialect(CsvDialect newDialect) {
    return new ParseRows(format, newDialect, schema);
  }

  @Override
  public PCollectionTuple expand(PCollection<String> filepatterns) {
    PCollectionTuple parsed =
        filepatterns
            .apply(
                "MatchFiles",
                FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
            .apply("ReadMatches", FileIO.readMatches())
            .apply(
                "ParseFiles",
                ParDo.of(new ParseFileFn(format, dialect, schema))
                    .withOutputTags(ROWS, TupleTagList.of(REJECTED)));
    parsed.get(ROWS).setCoder(ParsedRowCoder.of());
    parsed.get(REJECTED).setCoder(RejectedRowCoder.of());
    return parsed;
  }

  /** Parses one whole file; holds only the schema, so it is cheap to serialize. */
  static final class ParseFileFn extends DoFn<FileIO.ReadableFile, ParsedRow> {
    private final FileParser parser;
    private final Counter rows = Metrics.counter("preprocess", "rows");
    private final Counter rejected = Metrics.counter("preprocess", "rejected");

    ParseFileFn(InputFormat format, CsvDialect dialect, DataSchema schema) {
      this.parser = new FileParser(format, dialect, schema);
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
        throws IOException {
      FileParser.Counts counts =
          parser.parse(
              InputFile.of(file),
              new FileParser.Rows() {
                @Override
                public void accepted(ParsedRow row) {
                  out.get(ROWS).output(row);
                }

                @Override
                public void rejected(RejectedRow row) {
                  out.get(REJECTED).output(row);
                }
              });
      rows.inc(counts.accepted());
      rejected.inc(counts.rejected());
    }
  }
}
