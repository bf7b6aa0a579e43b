package io.beamtrain.pipelines.preprocess;

import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import io.beamtrain.pipelines.UsageException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServicesImpl;
import org.apache.beam.sdk.io.gcp.bigquery.SchemaAndRecord;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Where BigQuery input comes from: a table ({@code --input=bq://project.dataset.table}) or a query
 * ({@code --query=<SQL>}, run in {@code --queryLocation}), with an optional {@code
 * --rowRestriction} (a filter the Storage Read API applies before rows leave BigQuery); and the
 * {@link BigQueryServices} that reach it (the real ones; Beam's fakes in tests).
 */
public record BigQueryRead(
    TableReference table, String query, String queryLocation, String rowRestriction,
    String project, BigQueryServices services) implements Serializable {

  /** The scheme of a table input. */
  public static final String SCHEME = "bq://";
  /** What {@link PreprocessSettings#input()} holds when the input is {@code --query}. */
  public static final String QUERY_INPUT = "bq://query";

  private static final Pattern TABLE =
      Pattern.compile("bq://([a-zA-Z0-9\\-_:.]+)\\.([a-zA-Z0-9_]+)\\.([^./]+)");

  /** Whether {@code input} names BigQuery rather than files. */
  public static boolean isBigQuery(String input) {
    return input != null && input.startsWith(SCHEME);
  }

  /**
   * The read of {@code input} ({@code bq://project.dataset.table} or {@link #QUERY_INPUT} with
   * {@code query}).
   *
   * @throws UsageException naming the flag when the table name is malformed
   */
  public static BigQueryRead of(
      String input, String query, String queryLocation, String rowRestriction) {
    if (QUERY_INPUT.equals(input)) {
      if (query == null || query.isBlank()) {
        throw new UsageException("--query is empty");
      }
      return new BigQueryRead(null, query, queryLocation, rowRestriction, null,
          new BigQueryServicesImpl());
    }
    Matcher m = TABLE.matcher(input);
    if (!m.matches()) {
      throw new UsageException("--input=" + input
          + ": a BigQuery table is bq://<project>.<dataset>.<table>");
    }
    TableReference table = new TableReference()
        .setProjectId(m.group(1)).setDatasetId(m.group(2)).setTableId(m.group(3));
    return new BigQueryRead(table, null, queryLocation, rowRestriction, null,
        new BigQueryServicesImpl());
  }

  /** The same read through other services (Beam's {@code FakeBigQueryServices} in tests). */
  public BigQueryRead withServices(BigQueryServices other) {
    return new BigQueryRead(table, query, queryLocation, rowRestriction, project, other);
  }

  /**
   * The same read billed to, and a query's dry run made in, the project {@code options} name
   * ({@code --bigQueryProject}, else {@code --project}), as BigQueryIO's own jobs are.
   */
  public BigQueryRead withProjectOf(PipelineOptions options) {
    BigQueryOptions bigQuery = options.as(BigQueryOptions.class);
    String named = bigQuery.getBigQueryProject() != null
        ? bigQuery.getBigQueryProject() : bigQuery.getProject();
    return new BigQueryRead(table, query, queryLocation, rowRestriction, named, services);
  }

  /** The source's name in messages and rejected rows: the table as bq://, or "query". */
  public String name() {
    return table == null ? QUERY_INPUT
        : SCHEME + table.getProjectId() + "." + table.getDatasetId() + "." + table.getTableId();
  }

  /**
   * The read of {@code columns} through the Storage Read API ({@code DIRECT_READ}), each row
   * parsed by {@code parse}: a table's read selects only those columns and applies the {@code
   * --rowRestriction}; a query's result is read whole (BigQueryIO selects no fields of it).
   *
   * @throws UsageException when a query is given a {@code --rowRestriction}
   */
  public <T> BigQueryIO.TypedRead<T> read(
      SerializableFunction<SchemaAndRecord, T> parse, Coder<T> coder, List<String> columns) {
    BigQueryIO.TypedRead<T> read =
        BigQueryIO.read(parse)
            .withCoder(coder)
            .withMethod(BigQueryIO.TypedRead.Method.DIRECT_READ)
            .withTestServices(services);
    if (table == null) {
      if (rowRestriction != null) {
        throw new UsageException("--rowRestriction filters a table; with --query, put the"
            + " condition in the query's WHERE clause");
      }
      read = read.fromQuery(query).usingStandardSql();
      return queryLocation == null ? read : read.withQueryLocation(queryLocation);
    }
    read = read.from(table).withSelectedFields(columns);
    return rowRestriction == null ? read : read.withRowRestriction(rowRestriction);
  }

  /**
   * The table's metadata (schema, numRows, lastModifiedTime), or for a query the table its dry
   * run describes (the result's schema only).
   *
   * @throws UsageException naming {@code --input} when the table does not exist
   */
  public Table metadata() {
    BigQueryOptions options = PipelineOptionsFactory.create().as(BigQueryOptions.class);
    try {
      if (table != null) {
        Table found = services.getDatasetService(options).getTable(table);
        if (found == null) {
          throw new UsageException("--input=" + name() + ": no such table");
        }
        return found;
      }
      JobStatistics dryRun = services.getJobService(options).dryRunQuery(
          project != null ? project : options.getProject(),
          new JobConfigurationQuery().setQuery(query).setUseLegacySql(false),
          queryLocation);
      return new Table().setSchema(dryRun.getQuery().getSchema());
    } catch (IOException e) {
      throw new UncheckedIOException(name() + ": cannot read the schema", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(name() + ": interrupted reading the schema", e);
    }
  }

  /** The columns of the table or query result, from {@link #metadata}. */
  public List<TableFieldSchema> fields() {
    return metadata().getSchema().getFields();
  }
}
