package io.beamtrain.pipelines.preprocess;

import com.google.api.services.bigquery.model.TableReference;
import io.beamtrain.pipelines.UsageException;
import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServicesImpl;

/**
 * Where BigQuery input comes from: a table ({@code --input=bq://project.dataset.table}) or a query
 * ({@code --query=<SQL>}, run in {@code --queryLocation}), with an optional {@code
 * --rowRestriction} (a filter the Storage Read API applies before rows leave BigQuery); and the
 * {@link BigQueryServices} that reach it (the real ones; Beam's fakes in tests).
 */
public record BigQueryRead(
    TableReference table, String query, String queryLocation, String rowRestriction,
    BigQueryServices services) implements Serializable {

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
      return new BigQueryRead(null, query, queryLocation, rowRestriction,
          new BigQueryServicesImpl());
    }
    Matcher m = TABLE.matcher(input);
    if (!m.matches()) {
      throw new UsageException("--input=" + input
          + ": a BigQuery table is bq://<project>.<dataset>.<table>");
    }
    TableReference table = new TableReference()
        .setProjectId(m.group(1)).setDatasetId(m.group(2)).setTableId(m.group(3));
    return new BigQueryRead(table, null, queryLocation, rowRestriction,
        new BigQueryServicesImpl());
  }

  /** The same read through other services (Beam's {@code FakeBigQueryServices} in tests). */
  public BigQueryRead withServices(BigQueryServices other) {
    return new BigQueryRead(table, query, queryLocation, rowRestriction, other);
  }

  /** The source's name in messages and rejected rows: the table as bq://, or "query". */
  public String name() {
    return table == null ? QUERY_INPUT
        : SCHEME + table.getProjectId() + "." + table.getDatasetId() + "." + table.getTableId();
  }
}
