package io.beamtrain.pipelines.preprocess;

import io.beamtrain.pipelines.UsageException;
import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
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
 * values: a table has no row number.
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
    BigQueryIO.TypedRead<TableCells> read =
        BigQueryIO.read(new ToCells(columns))
            .withCoder(SerializableCoder.of(TableCells.class))
            .withMethod(BigQueryIO.TypedRead.Method.DIRECT_READ)
            .withTestServices(source.services());
    if (source.table() == null) {
      if (source.rowRestriction() != null) {
        throw new UsageException("--rowRestriction filters a table; with --query, put the"
            + " condition in the query's WHERE clause");
      }
      read = read.fromQuery(source.query()).usingStandardSql();
      return source.queryLocation() == null ? read : read.withQueryLocation(source.queryLocation());
    }
    read = read.from(source.table()).withSelectedFields(columns);
    return source.rowRestriction() == null ? read : read.withRowRestriction(source.rowRestriction());
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

  /** A BigQuery row's cells as CSV would hold them, and the row as JSON for rejections. */
  record TableCells(String[] values, String raw) implements Serializable {}

  /** Avro row of the Storage Read API to cells, typed by {@link AvroColumn} as Avro files are. */
  static final class ToCells implements SerializableFunction<SchemaAndRecord, TableCells> {
    private final List<String> columns;
    /** Several read streams call one instance at once (the DirectRunner shares it). */
    private transient Map<Schema, AvroColumn[]> bySchema;

    ToCells(List<String> columns) {
      this.columns = List.copyOf(columns);
    }

    @Override
    public TableCells apply(SchemaAndRecord input) {
      GenericRecord record = input.getRecord();
      AvroColumn[] readers = readers().computeIfAbsent(record.getSchema(), this::readers);
      String[] values = new String[columns.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = readers[i].cell(record.get(columns.get(i)));
      }
      return new TableCells(values, record.toString());
    }

    private synchronized Map<Schema, AvroColumn[]> readers() {
      if (bySchema == null) {
        bySchema = new ConcurrentHashMap<>();
      }
      return bySchema;
    }

    private AvroColumn[] readers(Schema schema) {
      AvroColumn[] readers = new AvroColumn[columns.size()];
      for (int i = 0; i < readers.length; i++) {
        Schema.Field field = schema.getField(columns.get(i));
        if (field == null) {
          throw new BadInputException(
              "BigQuery rows lack column '" + columns.get(i) + "' of the schema");
        }
        readers[i] = AvroColumn.of(field.name(), field.schema());
        if (!readers[i].supported()) {
          throw new BadInputException("BigQuery column '" + field.name()
              + "' is " + readers[i].unsupported() + ", which cannot be a feature");
        }
      }
      return readers;
    }
  }

  /** Checks each row and writes the accepted ones, one {@link SourceWriter} per bundle. */
  private static final class WriteRowsFn extends DoFn<TableCells, ShardPart> {
    private final PreprocessSettings settings;
    private final DataSchema schema;
    private final String source;
    private final RowValidator validator;
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
      this.validator = new RowValidator(schema);
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
      String[] values = row.values().clone();
      RowValidator.Problem problem = validator.check(values);
      rows.inc();
      if (problem == null) {
        writer.add(ParsedRow.wrap(values));
      } else {
        rejected.inc();
        out.get(ParseAndWrite.REJECTED).output(
            new RejectedRow(source, 0, problem.reason(), problem.detail(), row.raw()));
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
