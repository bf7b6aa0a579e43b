package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.Task;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.bigquery.SchemaAndRecord;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BigQuery input through BigQueryIO's Storage Read API path, against Beam's own fakes ({@link
 * FakeBigQueryServices} with a {@link FakeDatasetService} for the table and its schema) and an
 * in-memory Storage Read server ({@link FakeStorageReadClient}).
 */
class BigQueryInputTest {
  private static final String PROJECT = "proj";
  private static final String DATASET = "ds";
  private static final TableReference TABLE =
      new TableReference().setProjectId(PROJECT).setDatasetId(DATASET).setTableId("flights");
  private static final TableSchema TABLE_SCHEMA = new TableSchema().setFields(List.of(
      field("late", "BOOL", "NULLABLE"),
      field("distance", "INT64", "REQUIRED"),
      field("fare", "NUMERIC", "NULLABLE"),
      field("carrier", "STRING", "NULLABLE"),
      field("day", "DATE", "NULLABLE"),
      field("departed", "TIMESTAMP", "NULLABLE"),
      field("tags", "STRING", "REPEATED")));
  private static final Schema NUMERIC =
      LogicalTypes.decimal(38, 9).addToSchema(Schema.create(Schema.Type.BYTES));
  /** The table's rows as the Storage Read API sends them (BigQuery's Avro mapping). */
  private static final Schema AVRO = SchemaBuilder.record("Root").fields()
      .optionalBoolean("late")
      .requiredLong("distance")
      .name("fare").type().unionOf().nullType().and().type(NUMERIC).endUnion().nullDefault()
      .optionalString("carrier")
      .name("day").type().unionOf().nullType().and()
      .type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))).endUnion()
      .nullDefault()
      .name("departed").type().unionOf().nullType().and()
      .type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)))
      .endUnion().nullDefault()
      .name("tags").type().array().items().stringType().noDefault()
      .endRecord();

  private static final List<String> SCHEMA_COLUMNS =
      List.of("late", "distance", "fare", "carrier", "day", "departed");

  @TempDir Path tmp;
  FakeDatasetService datasets;

  @BeforeEach
  void createTable() throws Exception {
    FakeDatasetService.setUp();
    datasets = new FakeDatasetService();
    datasets.createDataset(PROJECT, DATASET, "US", "", null);
    datasets.createTable(new Table().setTableReference(TABLE).setSchema(TABLE_SCHEMA)
        .setNumBytes(1L << 20).setNumRows(java.math.BigInteger.valueOf(41)));
  }

  @ParameterizedTest
  @CsvSource({
    "INT64,REQUIRED,NUMERIC,", "INTEGER,NULLABLE,NUMERIC,", "FLOAT64,,NUMERIC,",
    "NUMERIC,,NUMERIC,", "BIGNUMERIC,,NUMERIC,", "DATE,,NUMERIC,", "TIMESTAMP,,NUMERIC,",
    "TIME,,NUMERIC,", "BOOL,,CATEGORICAL,", "STRING,,CATEGORICAL,",
    "STRING,REPEATED,,REPEATED (an array)", "STRUCT,,,a STRUCT (nested fields)",
    "RECORD,,,a STRUCT (nested fields)", "BYTES,,,of type BYTES",
    "DATETIME,,,of type DATETIME (no time zone; CAST it AS TIMESTAMP)",
    "GEOGRAPHY,,,of type GEOGRAPHY", "JSON,,,of type JSON"})
  void mapsTheTableSchemasTypesAsDocumented(
      String type, String mode, FeatureType feature, String why) {
    TableFieldSchema field = field("c", type, mode);
    assertEquals(feature, BigQueryColumn.typeOf(field));
    assertEquals(why, BigQueryColumn.why(field));
  }

  @Test
  void readsATableThroughTheStorageReadApiWithProjectionAndRowRestriction() throws Exception {
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(row(i % 3 == 0, 100 + i, "12.50", i % 5 == 0 ? null : "AA", 19000 + i,
          1_700_000_000_000_000L + 1_000_000L * i));
    }
    rows.add(row(null, 7, "1.00", "AA", 19000, 0L));
    FakeStorageReadClient storage = new FakeStorageReadClient("flights", AVRO, rows, 2);
    BigQueryRead read = BigQueryRead.of("bq://proj.ds.flights", null, null, "distance > 0")
        .withServices(new FakeBigQueryServices()
            .withDatasetService(datasets)
            .withJobService(new FakeJobService())
            .withStorageClient(storage));
    Path out = tmp.resolve("out");
    PreprocessSettings settings = PreprocessSettings.of(read.name(), out.toString(), "late")
        .withIgnore(List.of("tags"))
        .withSplit(0.0, 42);

    Pipeline pipeline = pipeline();
    pipeline.apply("Preprocess", Preprocess.from(settings, read));
    pipeline.run().waitUntilFinish();

    CreateReadSessionRequest request = storage.requests().get(0);
    assertEquals(List.of("late", "distance", "fare", "carrier", "day", "departed"),
        request.getReadSession().getReadOptions().getSelectedFieldsList(),
        "only the schema's columns are read: not the ignored array");
    assertEquals("distance > 0", request.getReadSession().getReadOptions().getRowRestriction());

    TransformSpec spec = ExampleDataset.open(out.resolve("data").toString(),
        io.beamtrain.checkpointing.storage.StorageConfig.defaults()).spec();
    assertEquals(Task.BINARY_CLASSIFICATION, spec.label().task());
    assertEquals(40, spec.split().trainExamples());
    assertEquals(12.5, feature(spec, "fare").mean(), 1e-9, "NUMERIC as a decimal number");
    assertEquals(19000 + 19.5, feature(spec, "day").mean(), 1e-9, "DATE as days since 1970");
    assertEquals(1_700_000_000.0, feature(spec, "departed").min(), 1e-3,
        "TIMESTAMP as seconds since the epoch");
    assertEquals(8, feature(spec, "carrier").missing());
    DataStats stats = DataStats.fromJson(
        Files.readString(out.resolve("data").resolve(DataStats.FILE_NAME)));
    assertEquals(41, stats.rows());
    List<String> rejected =
        Files.readAllLines(out.resolve("data/rejected/rejected-00000-of-00001.jsonl"));
    assertEquals(1, rejected.size());
    JsonNode node = new ObjectMapper().readTree(rejected.get(0));
    assertEquals("bq://proj.ds.flights", node.get("file").asText());
    assertEquals("MISSING_LABEL", node.get("reason").asText());
    assertTrue(node.get("raw").asText().contains("\"distance\": 7"), node.toString());
    assertEquals(0, node.get("line").asLong(), "a table has no line");
    assertEquals(RowKey.of(new BigQueryCells("t", SCHEMA_COLUMNS).of(rows.get(40))),
        node.get("key").asText(), "the row's position: the key of its cells as read");
    assertTrue(rows.subList(0, 40).stream()
        .noneMatch(r -> RowKey.of(new BigQueryCells("t", SCHEMA_COLUMNS).of(r))
            .equals(node.get("key").asText())), "no other row has that key");
  }

  @Test
  void onlyARejectedRowIsTurnedIntoTextAndItsTextAndKeyNameTheRow() {
    DataSchema schema = new DataSchema("late", null, List.of(
        new DataSchema.Column("late", FeatureType.CATEGORICAL),
        new DataSchema.Column("distance", FeatureType.NUMERIC),
        new DataSchema.Column("carrier", FeatureType.CATEGORICAL)));
    ReadBigQuery.ToCells toCells = new ReadBigQuery.ToCells("bq://proj.ds.flights", schema);

    ReadBigQuery.TableCells good =
        toCells.apply(new SchemaAndRecord(row(true, 120, "2.00", "AA", 19000, 0L), null));
    assertArrayEquals(new String[] {"true", "120", "AA"}, good.values());
    assertNull(good.raw(), "a good row's record is never turned into text");
    assertNull(good.key());

    ReadBigQuery.TableCells bad =
        toCells.apply(new SchemaAndRecord(row(null, 7, "1.00", "UA", 19000, 0L), null));
    assertEquals(RejectReason.MISSING_LABEL, bad.reason());
    assertTrue(bad.raw().contains("\"distance\": 7") && bad.raw().contains("\"carrier\": \"UA\""),
        bad.raw());
    assertEquals(RowKey.of(new String[] {null, "7", "UA"}), bad.key());
    assertEquals(16, bad.key().length());
  }

  @Test
  void aQueryRunsAsAJobIntoATemporaryTableWhoseRowsAreReadWhole() throws Exception {
    TableSchema resultSchema = new TableSchema().setFields(TABLE_SCHEMA.getFields().stream()
        .filter(f -> !f.getName().equals("tags")).toList());
    // Beam's FakeJobService runs a query whose text encodes its result table.
    String query = FakeBigQueryServices.encodeQueryResult(
        new Table().setSchema(resultSchema).setNumBytes(1L << 20));
    FakeJobService jobs = new FakeJobService();
    jobs.expectDryRunQuery(PROJECT, query, new JobStatistics().setTotalBytesProcessed(1L << 20)
        .setQuery(new JobStatistics2().setSchema(resultSchema).setTotalBytesProcessed(1L << 20)));
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(row(i % 2 == 0, 100 + i, "3.00", "AA", 19000 + i, 0L));
    }
    FakeStorageReadClient storage = new FakeStorageReadClient("query", AVRO, rows, 2);
    Pipeline pipeline = pipeline();
    BigQueryRead read = BigQueryRead.of(BigQueryRead.QUERY_INPUT, query, "US", null)
        .withProjectOf(pipeline.getOptions())
        .withServices(new FakeBigQueryServices()
            .withDatasetService(datasets).withJobService(jobs).withStorageClient(storage));
    Path out = tmp.resolve("query-out");
    PreprocessSettings settings = PreprocessSettings.of(read.name(), out.toString(), "late")
        .withSplit(0.0, 42);

    pipeline.apply("Preprocess", Preprocess.from(settings, read));
    pipeline.run().waitUntilFinish();

    List<Job> queryJobs = jobs.getAllJobs().stream()
        .filter(job -> job.getConfiguration().getQuery() != null).toList();
    assertEquals(1, queryJobs.size(), "the query ran once, as a job");
    TableReference destination = queryJobs.get(0).getConfiguration().getQuery().getDestinationTable();
    assertEquals(PROJECT, destination.getProjectId(), "in the --project the run names");
    assertEquals("US", queryJobs.get(0).getJobReference().getLocation(), "in --queryLocation");
    CreateReadSessionRequest session = storage.requests().get(0);
    assertEquals("projects/" + PROJECT + "/datasets/" + destination.getDatasetId() + "/tables/"
        + destination.getTableId(), session.getReadSession().getTable(),
        "the Storage Read API reads the job's temporary result table");
    assertTrue(session.getReadSession().getReadOptions().getSelectedFieldsList().isEmpty(),
        "a query's result is read whole");
    DataStats stats = DataStats.fromJson(
        Files.readString(out.resolve("data").resolve(DataStats.FILE_NAME)));
    assertEquals(10, stats.rows());
  }

  @Test
  void aRepeatedColumnStopsTheRunNamingItAndAMissingTableIsNamed() {
    BigQueryRead read = BigQueryRead.of("bq://proj.ds.flights", null, null, null)
        .withServices(new FakeBigQueryServices().withDatasetService(datasets));
    PreprocessSettings settings =
        PreprocessSettings.of(read.name(), tmp.resolve("out").toString(), "late");
    BadInputException e = assertThrows(BadInputException.class,
        () -> SchemaResolver.resolve(settings, read));
    assertEquals("bq://proj.ds.flights: column 'tags' is REPEATED (an array), which cannot be a"
        + " feature; pass --ignore=tags or derive a scalar column", e.getMessage());

    BigQueryRead missing = BigQueryRead.of("bq://proj.ds.nothing", null, null, null)
        .withServices(new FakeBigQueryServices().withDatasetService(datasets));
    UsageException m = assertThrows(UsageException.class,
        () -> SchemaResolver.resolve(
            PreprocessSettings.of(missing.name(), tmp.resolve("o").toString(), "late"), missing));
    assertEquals("--input=bq://proj.ds.nothing: no such table", m.getMessage());

    UsageException bad = assertThrows(UsageException.class,
        () -> BigQueryRead.of("bq://just-a-table", null, null, null));
    assertTrue(bad.getMessage().startsWith("--input=bq://just-a-table: a BigQuery table is"),
        bad.getMessage());
  }

  @Test
  void aQueryIsReadWithoutProjectionAndRefusesARowRestriction() {
    BigQueryRead query = BigQueryRead.of(BigQueryRead.QUERY_INPUT, "SELECT * FROM ds.flights",
        "EU", null);
    PreprocessSettings settings =
        PreprocessSettings.of(query.name(), tmp.resolve("q").toString(), "late");
    DataSchema schema = new DataSchema("late", null, List.of(
        new DataSchema.Column("late", FeatureType.CATEGORICAL),
        new DataSchema.Column("distance", FeatureType.NUMERIC)));
    Map<String, String> display = new TreeMap<>();
    DisplayData.from(new ReadBigQuery(settings, schema, query).read()).items()
        .forEach(item -> display.put(item.getKey(), String.valueOf(item.getValue())));
    assertEquals("SELECT * FROM ds.flights", display.get("query"), display.toString());
    assertNull(display.get("selectedFields"), display.toString());

    BigQueryRead restricted = BigQueryRead.of(BigQueryRead.QUERY_INPUT, "SELECT 1", null, "x > 1");
    UsageException e = assertThrows(UsageException.class,
        () -> new ReadBigQuery(settings, schema, restricted).read());
    assertTrue(e.getMessage().startsWith("--rowRestriction filters a table"), e.getMessage());
  }

  private Pipeline pipeline() {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setTargetParallelism(2);
    options.as(GcpOptions.class).setProject(PROJECT);
    options.setTempLocation(tmp.resolve("temp").toString());
    return Pipeline.create(options);
  }

  private static GenericRecord row(
      Boolean late, long distance, String fare, String carrier, int day, long departedMicros) {
    GenericRecord record = new GenericData.Record(AVRO);
    record.put("late", late);
    record.put("distance", distance);
    record.put("fare", new Conversions.DecimalConversion().toBytes(
        new BigDecimal(fare).setScale(9), NUMERIC, NUMERIC.getLogicalType()));
    record.put("carrier", carrier);
    record.put("day", day);
    record.put("departed", departedMicros);
    record.put("tags", List.of("x"));
    return record;
  }

  private static TableFieldSchema field(String name, String type, String mode) {
    return new TableFieldSchema().setName(name).setType(type).setMode(mode);
  }

  private static FeatureSpec feature(TransformSpec spec, String name) {
    return spec.features().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }
}
