package io.beamtrain.pipelines.predict;

import com.google.api.services.bigquery.model.TableFieldSchema;
import io.beamtrain.pipelines.preprocess.BigQueryCells;
import io.beamtrain.pipelines.preprocess.BigQueryColumn;
import io.beamtrain.pipelines.preprocess.BigQueryRead;
import io.beamtrain.trainer.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.gcp.bigquery.SchemaAndRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * {@link ReadInputRows} for BigQuery: the rows of a table ({@code --input=bq://...}, with {@code
 * --rowRestriction}) or a query's result ({@code --query}) to score, read through the Storage Read
 * API with only the columns the model takes (and {@code --keyColumn}) selected; cells typed as in
 * preprocessing ({@link BigQueryCells}). Outputs {@link ReadInputRows#ROWS} and (always empty: a
 * typed row is never malformed) {@link ReadInputRows#REJECTED}; counts {@code rows_read}. A row's
 * {@code file} is the table (or {@code bq://query}) and its line 0: the model's rejections name
 * it by its {@code RowKey}.
 */
public final class ReadTableRows extends PTransform<PBegin, PCollectionTuple> {
  private final BigQueryRead source;
  private final List<String> columns;

  private ReadTableRows(BigQueryRead source, List<String> columns) {
    this.source = source;
    this.columns = List.copyOf(columns);
  }

  /**
   * The read of {@code required} (the model's inputs) and {@code keyColumn} (or null), after
   * checking the table's (or query result's) schema has them in types a feature can have.
   *
   * @throws BadInputException naming the table and the columns it lacks or cannot give
   */
  public static ReadTableRows from(BigQueryRead source, List<String> required, String keyColumn) {
    List<String> columns = new ArrayList<>(required);
    if (keyColumn != null && !columns.contains(keyColumn)) {
      columns.add(keyColumn);
    }
    check(source.name(), source.fields(), columns);
    return new ReadTableRows(source, columns);
  }

  /** Throws naming {@code source} when {@code fields} lack a column or hold it in another type. */
  static void check(String source, List<TableFieldSchema> fields, List<String> columns) {
    Map<String, TableFieldSchema> byName = new LinkedHashMap<>();
    fields.forEach(field -> byName.put(field.getName(), field));
    List<String> lacking = columns.stream().filter(c -> !byName.containsKey(c)).toList();
    if (!lacking.isEmpty()) {
      throw new BadInputException(source + ": lacks column(s) " + lacking
          + " that the model takes; its columns: " + List.copyOf(byName.keySet()));
    }
    for (String column : columns) {
      String why = BigQueryColumn.why(byName.get(column));
      if (why != null) {
        throw new BadInputException(source + ": column '" + column + "' is " + why
            + ", which the model cannot take");
      }
    }
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple out = begin
        .apply("ReadBigQuery", source.read(new ToInputRow(source.name(), columns),
            SerializableCoder.of(InputRow.class), columns))
        .apply("CountRows", ParDo.of(new CountFn())
            .withOutputTags(ReadInputRows.ROWS, TupleTagList.of(ReadInputRows.REJECTED)));
    out.get(ReadInputRows.ROWS).setCoder(SerializableCoder.of(InputRow.class));
    out.get(ReadInputRows.REJECTED).setCoder(SerializableCoder.of(Rejection.class));
    return out;
  }

  /** A Storage Read API row to an input row of the selected columns, in their order. */
  private static final class ToInputRow implements SerializableFunction<SchemaAndRecord, InputRow> {
    private final String source;
    private final BigQueryCells cells;

    ToInputRow(String source, List<String> columns) {
      this.source = source;
      this.cells = new BigQueryCells(source, columns);
    }

    @Override
    public InputRow apply(SchemaAndRecord input) {
      String[] values = cells.of(input.getRecord());
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < values.length; i++) {
        row.put(cells.columns().get(i), values[i]);
      }
      return new InputRow(source, 0, row);
    }
  }

  /** Counts {@code rows_read}, as {@link ReadInputRows} does, so read == scored + rejected. */
  private static final class CountFn extends DoFn<InputRow, InputRow> {
    private final Counter read = Metrics.counter(Predict.METRICS_NAMESPACE, "rows_read");

    @ProcessElement
    public void process(@Element InputRow row, MultiOutputReceiver out) {
      read.inc();
      out.get(ReadInputRows.ROWS).output(row);
    }
  }
}
