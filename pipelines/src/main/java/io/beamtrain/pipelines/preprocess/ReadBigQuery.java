package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.SchemaAndRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * {@link ParseAndWrite}'s work for BigQuery input: rows read with {@link BigQueryIO} through the
 * Storage Read API ({@code DIRECT_READ}: Avro rows streamed from BigQuery's storage, only the
 * schema's columns selected, the {@code --rowRestriction} applied by BigQuery) are checked, split,
 * added to statistics and encoded into shard parts, one {@link SourceWriter} per bundle; the
 * outputs are {@link ParseAndWrite}'s, so the rest of {@link Preprocess} is the same.
 *
 * <p>Here rows are elements (BigQueryIO emits them), unlike files: a runner that holds a bundle's
 * outputs (the DirectRunner) holds the rows of a read stream, so large tables belong on Dataflow,
 * which streams bundles. A rejected row's position is the table (or {@code bq://query}) and its
 * {@link RowKey}: a table has no row number.
 */
final class ReadBigQuery extends PTransform<PBegin, PCollectionTuple> {
  private final PreprocessSettings settings;
  private final DataSchema schema;
  private final BigQueryRead source;

  ReadBigQuery(PreprocessSettings settings, DataSchema schema, BigQueryRead source) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.schema = Objects.requireNonNull(schema, "schema");
    this.source = Objects.requireNonNull(source, "source");
  }

  /** The BigQueryIO read of the schema's columns. */
  BigQueryIO.TypedRead<TableCells> read() {
    List<String> columns = schema.columnNames();
    return source.read(new ToCells(source.name(), schema),
        SerializableCoder.of(TableCells.class), columns);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    // Every write of the run comes after the previous run's marker and leftovers are gone.
    PCollection<String> forgotten =
        begin
            .apply("DataDirectory", Create.of(settings.dataDir()).withCoder(StringUtf8Coder.of()))
            .apply("ForgetPreviousDataset", ParDo.of(new Preprocess.ForgetPreviousDatasetFn(settings)))
            .setCoder(StringUtf8Coder.of());
    PCollectionTuple out =
        begin
            .apply("ReadBigQuery", read())
            .apply("AfterForgetting", Wait.on(forgotten))
            .apply(
                "CheckAndWrite",
                ParDo.of(new WriteRowsFn(settings, schema, source.name()))
                    .withOutputTags(
                        ParseAndWrite.TRAIN_PARTS,
                        TupleTagList.of(ParseAndWrite.EVAL_PARTS)
                            .and(ParseAndWrite.TRAIN_STATISTICS)
                            .and(ParseAndWrite.EVAL_STATISTICS)
                            .and(ParseAndWrite.REJECTED)));
    return ParseAndWrite.withCoders(out, settings, schema);
  }

  /**
   * A BigQuery row's cells as CSV would hold them, checked; a rejected row also carries why, its
   * {@link RowKey} and the record's text (null for a good row, so no text is built per row).
   */
  record TableCells(String[] values, RejectReason reason, String detail, String key, String raw)
      implements Serializable {
    boolean rejected() {
      return reason != null;
    }
  }

  /**
   * Avro row of the Storage Read API to checked cells. The check runs here, where the record is
   * at hand, so that only a rejected row's record is turned into text (a good row's never is).
   */
  static final class ToCells implements SerializableFunction<SchemaAndRecord, TableCells> {
    private final BigQueryCells cells;
    private final RowValidator validator;

    ToCells(String source, DataSchema schema) {
      this.cells = new BigQueryCells(source, schema.columnNames());
      this.validator = new RowValidator(schema);
    }

    @Override
    public TableCells apply(SchemaAndRecord input) {
      GenericRecord record = input.getRecord();
      String[] values = cells.of(record);
      RowValidator.Problem problem = validator.check(values);
      if (problem == null) {
        return new TableCells(values, null, null, null, null);
      }
      // The check normalised some cells in place: the key is of the cells as read.
      return new TableCells(values, problem.reason(), problem.detail(),
          RowKey.of(cells.of(record)), record.toString());
    }
  }

  /** Checks each row and writes the accepted ones, one {@link SourceWriter} per bundle. */
  private static final class WriteRowsFn extends DoFn<TableCells, ShardPart> {
    private final PreprocessSettings settings;
    private final DataSchema schema;
    private final String source;
    private final AnalyzeColumns.StatisticsFn statistics;
    private final Counter rows = Metrics.counter("preprocess", "rows");
    private final Counter rejected = Metrics.counter("preprocess", "rejected");
    private transient ExampleEncoder encoder;
    private transient RowFingerprint fingerprint;
    private transient SourceWriter writer;

    WriteRowsFn(PreprocessSettings settings, DataSchema schema, String source) {
      this.settings = settings;
      this.schema = schema;
      this.source = source;
      this.statistics = new AnalyzeColumns.StatisticsFn(schema, settings.vocabulary());
    }

    @Setup
    public void setup() {
      encoder = new ExampleEncoder(schema);
      fingerprint = new RowFingerprint(settings.splitSeed());
    }

    @StartBundle
    public void startBundle() {
      writer = new SourceWriter(settings, encoder, fingerprint, statistics);
    }

    @ProcessElement
    public void process(@Element TableCells row, MultiOutputReceiver out) {
      rows.inc();
      if (!row.rejected()) {
        writer.add(ParsedRow.wrap(row.values().clone())); // elements are immutable
      } else {
        rejected.inc();
        out.get(ParseAndWrite.REJECTED).output(
            new RejectedRow(source, 0, row.reason(), row.detail(), row.raw(), row.key()));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws IOException {
      SourceWriter.Output written;
      try {
        // A bundle is a source of its own; its parts go after the others' in no fixed order.
        written = writer.finish(source + "#" + UUID.randomUUID());
      } catch (IOException | RuntimeException | Error e) {
        writer.abort();
        throw e;
      }
      GlobalWindow window = GlobalWindow.INSTANCE;
      for (ShardPart part : written.trainParts()) {
        context.output(ParseAndWrite.TRAIN_PARTS, part, window.maxTimestamp(), window);
      }
      for (ShardPart part : written.evalParts()) {
        context.output(ParseAndWrite.EVAL_PARTS, part, window.maxTimestamp(), window);
      }
      context.output(ParseAndWrite.TRAIN_STATISTICS, written.trainStatistics(),
          window.maxTimestamp(), window);
      context.output(ParseAndWrite.EVAL_STATISTICS, written.evalStatistics(),
          window.maxTimestamp(), window);
    }
  }
}
