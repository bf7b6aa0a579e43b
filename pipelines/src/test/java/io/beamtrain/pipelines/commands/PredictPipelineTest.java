package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.predict.ReadInputRows;
import io.beamtrain.pipelines.preprocess.FakeStorageReadClient;
import io.beamtrain.pipelines.preprocess.RowKey;
import io.beamtrain.pipelines.preprocess.TypedFiles;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scores raw penguins rows (CSV and JSON Lines, as a user has them) with an exported model. */
class PredictPipelineTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static OutputLayout layout;

  @BeforeAll
  static void trainAModel() throws Exception {
    layout = PenguinsData.preprocessedOutput(tmp);
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, """
        metric: {name: eval_loss}
        maxTrials: 1
        trainSteps: 300
        evalEverySteps: 100
        checkpointEverySteps: 300
        fixed: {model: dnn, hidden_units: 32, num_layers: 1, learning_rate: 0.02, batch_size: 32}
        """);
    SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + layout.root(), "--study=" + study, "--progressEverySeconds=0")
        .as(SweepPipeline.Options.class));
  }

  private static PredictPipeline.Outcome predict(String input, String predictions, String... more) {
    return predictWith(layout.best(), input, predictions, more);
  }

  private static PredictPipeline.Outcome predictWith(
      String model, String input, String predictions, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "--model=" + model, "--input=" + input, "--predictions=" + predictions, "--batchSize=50"));
    args.addAll(List.of(more));
    return PredictPipeline.run(PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(PredictPipeline.Options.class));
  }

  private static List<JsonNode> readLines(Path dir, String glob) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileSystem().getPathMatcher("glob:" + glob).matches(f.getFileName())).toList()) {
        for (String line : Files.readAllLines(file)) {
          out.add(JSON.readTree(line));
        }
      }
    }
    return out;
  }

  @Test
  void scoresRawCsvRowsAndRejectsBadOnes() throws Exception {
    // The raw file as a user has it: every column, missing cells, and two bad rows appended.
    String csv = PenguinsData.csv().stripTrailing()
        + "\nAdelie,Torgersen,39.1,18.7\n"
        + "Gentoo,Biscoe,not-a-number,15.0,220,5000,MALE\n";
    Path input = tmp.resolve("score/penguins.csv");
    Files.createDirectories(input.getParent());
    Files.writeString(input, csv);
    Path outDir = tmp.resolve("predictions");

    PredictPipeline.Outcome outcome = predict(input.toString(), outDir.resolve("penguins").toString());

    assertEquals(346, outcome.rows(), "every data row is read");
    assertEquals(344, outcome.scored());
    assertEquals(2, outcome.rejected());
    List<JsonNode> predictions = readLines(outDir, "penguins-*-of-*.jsonl");
    assertEquals(344, predictions.size());
    int correct = 0;
    for (JsonNode p : predictions) {
      assertEquals(3, p.path("probabilities").size(), p.toString());
      assertTrue(p.has("island") && p.has("body_mass_g"), "input columns are echoed: " + p);
      correct += p.path("class").asText().equals(p.path("species").asText()) ? 1 : 0;
    }
    assertTrue(correct >= 0.95 * 344, correct + " of 344 correct");

    List<JsonNode> rejected = readLines(outDir.resolve("penguins-rejected"), "rejected-*.jsonl");
    assertEquals(2, rejected.size());
    List<String> reasons = rejected.stream().map(r -> r.path("reason").asText()).sorted().toList();
    assertEquals(List.of("INVALID_VALUE", "WRONG_COLUMN_COUNT"), reasons);
    for (JsonNode r : rejected) {
      assertEquals(input.toString(), r.path("file").asText(), r.toString());
    }
    assertEquals(List.of(346L, 347L), rejected.stream().map(r -> r.path("line").asLong()).sorted().toList());
    JsonNode badNumber = rejected.stream().filter(r -> r.path("reason").asText().equals("INVALID_VALUE"))
        .findFirst().orElseThrow();
    assertEquals(347, badNumber.path("line").asLong());
    assertTrue(badNumber.path("detail").asText().contains("not-a-number"), badNumber.toString());
  }

  @Test
  void scoresParquetAndAvroFilesAsTheirCsvAndRefusesOneLackingAnInput() throws Exception {
    List<String> lines = PenguinsData.csv().lines().toList();
    Path csv = tmp.resolve("typed/penguins.csv");
    Files.createDirectories(csv.getParent());
    Files.write(csv, lines);
    Path parquet = tmp.resolve("typed/penguins.parquet");
    Path avro = tmp.resolve("typed/penguins.avro");
    List<GenericRecord> records = TypedFiles.fromCsv(lines, TypedFiles.PENGUINS);
    TypedFiles.writeParquet(parquet, TypedFiles.PENGUINS, records);
    TypedFiles.writeAvro(avro, TypedFiles.PENGUINS, records);

    Path outDir = tmp.resolve("predictions-typed");
    predict(csv.toString(), outDir.resolve("csv").toString());
    List<String> fromCsv = scores(readLines(outDir, "csv-*-of-*.jsonl"));
    for (Path typed : List.of(parquet, avro)) {
      String name = typed.getFileName().toString().replace('.', '-');
      PredictPipeline.Outcome outcome = predict(typed.toString(), outDir.resolve(name).toString());
      assertEquals(344, outcome.scored(), typed.toString());
      assertEquals(0, outcome.rejected(), typed.toString());
      assertEquals(fromCsv, scores(readLines(outDir, name + "-*-of-*.jsonl")), typed.toString());
    }

    Schema noSex = SchemaBuilder.record("penguin").fields()
        .requiredString("island").optionalDouble("beak_length_mm").endRecord();
    Path lacking = tmp.resolve("typed/lacking.parquet");
    GenericRecord row = new GenericData.Record(noSex);
    row.put("island", "Biscoe");
    row.put("beak_length_mm", 40.0);
    TypedFiles.writeParquet(lacking, noSex, List.of(row));
    BadInputException e = assertThrows(BadInputException.class,
        () -> predict(lacking.toString(), outDir.resolve("lacking").toString()));
    assertTrue(e.getMessage().startsWith(lacking + ": header lacks column(s) [beak_depth_mm"),
        e.getMessage());
  }

  /** Each prediction's class and probabilities with its input, sorted: order-free comparison. */
  private static List<String> scores(List<JsonNode> predictions) {
    return predictions.stream()
        .map(p -> p.path("class").asText() + " " + p.path("probabilities") + " "
            + p.path("island").asText() + " " + p.path("body_mass_g").asDouble())
        .sorted().toList();
  }

  @Test
  void scoresJsonLinesWithAKeyColumn() throws Exception {
    Path input = tmp.resolve("score-json/rows.jsonl");
    Files.createDirectories(input.getParent());
    Files.writeString(input, """
        {"id": "a", "island": "Biscoe", "beak_length_mm": 46.1, "beak_depth_mm": 13.2, "flipper_length_mm": 211, "body_mass_g": 4500, "sex": "FEMALE"}
        {"id": "b", "island": "Torgersen", "beak_length_mm": 39.1, "beak_depth_mm": 18.7, "flipper_length_mm": 181, "body_mass_g": 3750, "sex": "MALE"}
        {"id": "c", "island": "Dream", "beak_length_mm": 46.5, "beak_depth_mm": 17.9, "flipper_length_mm": 192, "body_mass_g": null, "sex": null}
        """);
    Path outDir = tmp.resolve("predictions-json");
    predict(input.toString(), outDir.resolve("rows").toString(), "--keyColumn=id");
    List<JsonNode> predictions = readLines(outDir, "rows-*-of-*.jsonl");
    assertEquals(3, predictions.size());
    for (JsonNode p : predictions) {
      assertEquals(List.of("id", "class", "probabilities"), iterate(p));
      String expected = switch (p.path("id").asText()) {
        case "a" -> "Gentoo";
        case "b" -> "Adelie";
        default -> "Chinstrap";
      };
      assertEquals(expected, p.path("class").asText(), p.toString());
    }
  }

  @Test
  void aDirectoryWithoutAModelIsAUsageError() {
    UsageException e = assertThrows(UsageException.class,
        () -> predictWith(tmp.toString(), tmp.toString(), tmp.resolve("x").toString()));
    assertTrue(e.getMessage().startsWith("--model: no saved_model.pb in "), e.getMessage());
  }

  @Test
  void aRunOwnsItsPrefixALaterRunIntoItIsRefusedAndWritesNothing() throws Exception {
    Path input = writeInput("own/penguins.csv", PenguinsData.csv());
    Path outDir = tmp.resolve("own-out");
    String prefix = outDir.resolve("preds").toString();
    // A different prefix that merely starts with the same characters is not this run's.
    predict(input.toString(), prefix + "-old");
    List<JsonNode> old = readLines(outDir, "preds-old-*-of-*.jsonl");
    assertEquals(344, old.size());

    predict(input.toString(), prefix);
    for (int run = 2; run <= 3; run++) {
      UsageException refused = assertThrows(UsageException.class, () -> predict(input.toString(), prefix));
      assertTrue(refused.getMessage().startsWith("--predictions=" + prefix + ": holds the files of an earlier"),
          refused.getMessage());
      assertTrue(refused.getMessage().contains(outDir.resolve("preds-").toString()), refused.getMessage());
    }
    assertEquals(344, readLines(outDir, "preds-[0-9]*-of-*.jsonl").size(), "exactly one run's lines");
    assertEquals(344, readLines(outDir, "preds-old-*-of-*.jsonl").size(), "the other prefix is untouched");
    JsonNode record = JSON.readTree(outDir.resolve("preds-run.json").toFile());
    assertEquals("DONE", record.path("status").asText(), record.toString());
    assertEquals(344, record.path("rows").asLong(), record.toString());
    assertEquals(344, record.path("scored").asLong(), record.toString());
  }

  @Test
  void aCsvLackingAModelColumnIsExit2NamingItAndNothingIsWritten() throws Exception {
    // The header and every row without beak_depth_mm: scoring would fill it in for every row.
    StringBuilder csv = new StringBuilder();
    for (String line : PenguinsData.csv().split("\n")) {
      List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
      cells.remove(3);
      csv.append(String.join(",", cells)).append('\n');
    }
    assertTrue(csv.toString().startsWith("species,island,beak_length_mm,flipper_length_mm"), csv.substring(0, 80));
    Path input = writeInput("lacking/penguins.csv", csv.toString());
    Path outDir = tmp.resolve("lacking-out");

    CliRun run = cli("predict", "--model=" + layout.best(), "--input=" + input,
        "--predictions=" + outDir.resolve("preds"));

    assertEquals(2, run.status(), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains(input + ": header lacks column(s) [beak_depth_mm] that the model takes"), run.err());
    assertFalse(Files.exists(outDir), "nothing written");
  }

  @Test
  void aRowThatIsNotUtf8IsRejectedWithItsByteOffsetNotScored() throws Exception {
    String header = "island,beak_length_mm,beak_depth_mm,flipper_length_mm,body_mass_g,sex\n";
    String good = "Biscoe,46.1,13.2,211,4500,FEMALE\n";
    Path input = tmp.resolve("latin1/rows.csv");
    Files.createDirectories(input.getParent());
    byte[] bad = "Dr\u00e9am,46.5,17.9,192,3500,FEMALE\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    try (var out = Files.newOutputStream(input)) {
      out.write((header + good).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.write(bad);
    }
    Path outDir = tmp.resolve("latin1-out");

    PredictPipeline.Outcome outcome = predict(input.toString(), outDir.resolve("rows").toString());

    assertEquals(2, outcome.rows());
    assertEquals(1, outcome.scored());
    List<JsonNode> rejected = readLines(outDir.resolve("rows-rejected"), "rejected-*.jsonl");
    assertEquals(1, rejected.size());
    assertEquals("INVALID_ENCODING", rejected.get(0).path("reason").asText(), rejected.get(0).toString());
    assertEquals(3, rejected.get(0).path("line").asLong());
    long offset = (header + good).length() + 2;
    assertTrue(rejected.get(0).path("detail").asText().contains(String.valueOf(offset)), rejected.get(0).toString());
  }

  @Test
  void aJsonRowLackingAModelKeyIsRejectedNamingItAndANullIsAMissingValue() throws Exception {
    Path input = writeInput("json-lacking/rows.jsonl", """
        {"id": "full", "island": "Biscoe", "beak_length_mm": 46.1, "beak_depth_mm": 13.2, "flipper_length_mm": 211, "body_mass_g": 4500, "sex": "FEMALE"}
        {"id": "nulls", "island": "Dream", "beak_length_mm": 46.5, "beak_depth_mm": 17.9, "flipper_length_mm": 192, "body_mass_g": null, "sex": null}
        {"id": "one", "island": "Torgersen"}

        {"id": "no-sex", "island": "Biscoe", "beak_length_mm": 46.1, "beak_depth_mm": 13.2, "flipper_length_mm": 211, "body_mass_g": 4500}
        """);
    Path outDir = tmp.resolve("json-lacking-out");

    PredictPipeline.Outcome outcome = predict(input.toString(), outDir.resolve("rows").toString(), "--keyColumn=id");

    assertEquals(4, outcome.rows());
    assertEquals(outcome.rows(), outcome.scored() + outcome.rejected());
    List<JsonNode> predictions = readLines(outDir, "rows-*-of-*.jsonl");
    assertEquals(List.of("full", "nulls"), predictions.stream().map(p -> p.path("id").asText()).sorted().toList());
    List<JsonNode> rejected = readLines(outDir.resolve("rows-rejected"), "rejected-*.jsonl");
    assertEquals(2, rejected.size());
    for (JsonNode r : rejected) {
      assertEquals(input.toString(), r.path("file").asText());
      assertEquals(ReadInputRows.MISSING_FIELD, r.path("reason").asText(), r.toString());
    }
    JsonNode one = rejected.stream().filter(r -> r.path("line").asLong() == 3).findFirst().orElseThrow();
    assertTrue(one.path("detail").asText().contains(
        "[beak_depth_mm, beak_length_mm, body_mass_g, flipper_length_mm, sex]"), one.toString());
    JsonNode noSex = rejected.stream().filter(r -> r.path("line").asLong() == 5).findFirst().orElseThrow();
    assertTrue(noSex.path("detail").asText().contains("[sex]"), noSex.toString());
  }

  @Test
  void aGarbageSavedModelPbIsExit2OnOneLineNamingTheModelAndTheFile() throws Exception {
    Path model = copyModel("garbage-pb");
    Files.write(model.resolve("saved_model.pb"), "<html>not a SavedModel</html>".getBytes(StandardCharsets.UTF_8));
    assertCorruptModelIsExit2(model, "saved_model.pb");
  }

  @Test
  void aTruncatedVariablesFileIsExit2OnOneLineNamingTheModelAndTheFile() throws Exception {
    Path model = copyModel("truncated-variables");
    Path data = model.resolve("variables/variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(bytes, bytes.length - 100));
    assertCorruptModelIsExit2(model, "variables/variables.data-00000-of-00001");
  }

  private static void assertCorruptModelIsExit2(Path model, String file) throws Exception {
    Path input = writeInput("corrupt/" + model.getFileName() + "/penguins.csv", PenguinsData.csv());
    Path outDir = tmp.resolve("corrupt-out").resolve(model.getFileName().toString());
    CliRun run = cli("predict", "--model=" + model, "--input=" + input, "--predictions=" + outDir.resolve("preds"));
    assertEquals(2, run.status(), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().startsWith("beamtrain predict: " + model + ": cannot load the SavedModel, " + file
        + " is corrupt or truncated: "), run.err());
    assertFalse(Files.exists(outDir), "nothing written");
  }

  private static Path copyModel(String name) throws Exception {
    Path source = Path.of(layout.best()).resolve("saved_model");
    Path target = tmp.resolve("models").resolve(name);
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path to = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    return target;
  }

  private static Path writeInput(String name, String text) throws Exception {
    Path input = tmp.resolve(name);
    Files.createDirectories(input.getParent());
    Files.writeString(input, text);
    return input;
  }

  private record CliRun(int status, String err) {}

  private static CliRun cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Commands.all()).run(args);
    return new CliRun(status, err.toString(StandardCharsets.UTF_8));
  }

  private static List<String> iterate(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** Penguins as a BigQuery table holds them: an id, a REPEATED column, beak length as text. */
  private static final Schema PENGUIN_ROWS = SchemaBuilder.record("Root").fields()
      .requiredLong("id").requiredString("species").requiredString("island")
      .optionalString("beak_length_mm").optionalDouble("beak_depth_mm")
      .optionalLong("flipper_length_mm").optionalLong("body_mass_g").optionalString("sex")
      .name("tags").type().array().items().stringType().noDefault()
      .endRecord();

  private static FakeBigQueryServices penguinsTable(
      String table, List<TableFieldSchema> fields, FakeStorageReadClient storage) throws Exception {
    FakeDatasetService.setUp();
    FakeDatasetService datasets = new FakeDatasetService();
    datasets.createDataset("proj", "ds", "US", "", null);
    datasets.createTable(new Table()
        .setTableReference(new TableReference().setProjectId("proj").setDatasetId("ds").setTableId(table))
        .setSchema(new TableSchema().setFields(fields)).setNumBytes(1L << 20));
    return new FakeBigQueryServices().withDatasetService(datasets)
        .withJobService(new FakeJobService()).withStorageClient(storage);
  }

  private static List<TableFieldSchema> penguinFields() {
    List<TableFieldSchema> fields = new ArrayList<>();
    for (String[] f : new String[][] {{"id", "INT64"}, {"species", "STRING"}, {"island", "STRING"},
        {"beak_length_mm", "STRING"}, {"beak_depth_mm", "FLOAT64"}, {"flipper_length_mm", "INT64"},
        {"body_mass_g", "INT64"}, {"sex", "STRING"}}) {
      fields.add(new TableFieldSchema().setName(f[0]).setType(f[1]).setMode("NULLABLE"));
    }
    fields.add(new TableFieldSchema().setName("tags").setType("STRING").setMode("REPEATED"));
    return fields;
  }

  private static PredictPipeline.Outcome predictTable(
      FakeBigQueryServices services, String predictions, String... more) {
    List<String> args = new ArrayList<>(List.of("--model=" + layout.best(),
        "--predictions=" + predictions, "--project=proj", "--tempLocation=" + tmp.resolve("bq-temp")));
    args.addAll(List.of(more));
    return PredictPipeline.run(PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(PredictPipeline.Options.class), services);
  }

  /** The penguins rows as records of {@link #PENGUIN_ROWS}, ids from 1. */
  private static List<GenericRecord> penguinRows() {
    List<String> lines = PenguinsData.csv().lines().filter(l -> !l.isBlank()).toList();
    List<String> header = List.of(lines.get(0).split(","));
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",", -1);
      GenericRecord row = new GenericData.Record(PENGUIN_ROWS);
      row.put("id", (long) i);
      for (int c = 0; c < cells.length; c++) {
        Schema.Field field = PENGUIN_ROWS.getField(header.get(c));
        Schema.Type type = field.schema().isUnion()
            ? field.schema().getTypes().get(1).getType() : field.schema().getType();
        row.put(field.name(), cells[c].isEmpty() ? null : switch (type) {
          case LONG -> Long.parseLong(cells[c]);
          case DOUBLE -> Double.parseDouble(cells[c]);
          default -> cells[c];
        });
      }
      row.put("tags", List.of("t"));
      rows.add(row);
    }
    return rows;
  }

  @Test
  void scoresAQuerysResultReadWholeEchoingTheModelsColumns() throws Exception {
    List<TableFieldSchema> fields = new ArrayList<>(penguinFields());
    fields.removeIf(f -> f.getName().equals("tags"));
    TableSchema result = new TableSchema().setFields(fields);
    // Beam's FakeJobService runs a query whose text encodes its result table.
    String query = FakeBigQueryServices.encodeQueryResult(
        new Table().setSchema(result).setNumBytes(1L << 20));
    FakeDatasetService.setUp(); // resets the fakes' shared state, the job service's too
    FakeJobService.setUp();
    FakeJobService jobs = new FakeJobService();
    jobs.expectDryRunQuery("proj", query, new JobStatistics().setTotalBytesProcessed(1L << 20)
        .setQuery(new JobStatistics2().setSchema(result).setTotalBytesProcessed(1L << 20)));
    List<GenericRecord> rows = penguinRows();
    FakeStorageReadClient storage = new FakeStorageReadClient("predict-query", PENGUIN_ROWS, rows, 2);
    FakeBigQueryServices services = new FakeBigQueryServices().withDatasetService(new FakeDatasetService())
        .withJobService(jobs).withStorageClient(storage);
    Path outDir = tmp.resolve("predictions-query");

    PredictPipeline.Outcome outcome = predictTable(services, outDir.resolve("q").toString(),
        "--query=" + query, "--queryLocation=US");

    assertEquals(rows.size(), outcome.scored());
    assertEquals(0, outcome.rejected());
    assertTrue(storage.requests().get(0).getReadSession().getReadOptions().getSelectedFieldsList().isEmpty(),
        "a query's result is read whole");
    List<JsonNode> predictions = readLines(outDir, "q-*-of-*.jsonl");
    assertEquals(rows.size(), predictions.size());
    JsonNode p = predictions.get(0);
    assertTrue(p.has("island") && p.has("class") && !p.has("id") && !p.has("species"),
        "the model's columns are echoed, not the rest of the result: " + p);
    JsonNode record = JSON.readTree(outDir.resolve("q-run.json").toFile());
    assertEquals("bq://query", record.path("input").asText());
    assertEquals(query, record.path("query").asText());
  }

  @Test
  void scoresABigQueryTableReadingOnlyTheModelsColumnsAndNamesARejectedRowByItsKey() throws Exception {
    List<GenericRecord> rows = penguinRows();
    int scorable = rows.size();
    GenericRecord bad = new GenericData.Record(PENGUIN_ROWS);
    rows.get(0).getSchema().getFields().forEach(f -> bad.put(f.name(), rows.get(0).get(f.name())));
    bad.put("id", 9999L);
    bad.put("beak_length_mm", "n/a"); // text where the model takes a number
    rows.add(bad);
    FakeStorageReadClient storage = new FakeStorageReadClient("predict-penguins", PENGUIN_ROWS, rows, 2);
    Path outDir = tmp.resolve("predictions-bq");

    PredictPipeline.Outcome outcome = predictTable(penguinsTable("penguins", penguinFields(), storage),
        outDir.resolve("bq").toString(), "--input=bq://proj.ds.penguins", "--keyColumn=id",
        "--rowRestriction=id > 0");

    assertEquals(scorable + 1, outcome.rows());
    assertEquals(scorable, outcome.scored());
    assertEquals(1, outcome.rejected());
    List<String> selected = storage.requests().get(0).getReadSession().getReadOptions().getSelectedFieldsList();
    assertEquals(List.of("beak_depth_mm", "beak_length_mm", "body_mass_g", "flipper_length_mm", "island",
        "sex", "id"), selected, "the model's inputs and the key column only: no label, no array");
    assertEquals("id > 0", storage.requests().get(0).getReadSession().getReadOptions().getRowRestriction());
    List<JsonNode> predictions = readLines(outDir, "bq-*-of-*.jsonl");
    assertEquals(scorable, predictions.size());
    int correct = 0;
    for (JsonNode p : predictions) {
      assertEquals(3, p.path("probabilities").size(), p.toString());
      GenericRecord row = rows.get(p.path("id").asInt() - 1);
      correct += p.path("class").asText().equals(row.get("species").toString()) ? 1 : 0;
    }
    assertTrue(correct >= 0.95 * scorable, correct + " of " + scorable + " correct");

    List<JsonNode> rejected = readLines(outDir.resolve("bq-rejected"), "rejected-*.jsonl");
    assertEquals(1, rejected.size());
    JsonNode r = rejected.get(0);
    assertEquals("bq://proj.ds.penguins", r.path("file").asText(), r.toString());
    assertEquals("INVALID_VALUE", r.path("reason").asText());
    assertTrue(r.path("detail").asText().contains("n/a"), r.toString());
    String[] asRead = new String[selected.size()];
    for (int i = 0; i < asRead.length; i++) {
      Object value = bad.get(selected.get(i));
      asRead[i] = value == null ? null : value.toString();
    }
    assertEquals(RowKey.of(asRead), r.path("key").asText(), "the row's key: its cells as read");
    assertTrue(r.path("raw").asText().contains("\"id\":\"9999\""), r.toString());
    JsonNode record = JSON.readTree(tmp.resolve("predictions-bq/bq-run.json").toFile());
    assertEquals("bq://proj.ds.penguins", record.path("input").asText());
  }

  @Test
  void aBigQueryTableLackingAModelColumnOrHoldingItAsAnArrayIsRefusedNamingIt() throws Exception {
    List<TableFieldSchema> noSex = new ArrayList<>(penguinFields());
    noSex.removeIf(f -> f.getName().equals("sex"));
    FakeStorageReadClient storage = new FakeStorageReadClient("predict-none", PENGUIN_ROWS, List.of(), 1);
    BadInputException lacking = assertThrows(BadInputException.class, () -> predictTable(
        penguinsTable("nosex", noSex, storage), tmp.resolve("bq-nosex/p").toString(),
        "--input=bq://proj.ds.nosex"));
    assertTrue(lacking.getMessage().startsWith(
        "bq://proj.ds.nosex: lacks column(s) [sex] that the model takes"), lacking.getMessage());

    List<TableFieldSchema> repeated = new ArrayList<>(penguinFields());
    repeated.replaceAll(f -> f.getName().equals("sex") ? f.clone().setMode("REPEATED") : f);
    BadInputException array = assertThrows(BadInputException.class, () -> predictTable(
        penguinsTable("arrays", repeated, storage), tmp.resolve("bq-arrays/p").toString(),
        "--input=bq://proj.ds.arrays"));
    assertEquals("bq://proj.ds.arrays: column 'sex' is REPEATED (an array), which the model cannot take",
        array.getMessage());
    assertFalse(Files.exists(tmp.resolve("bq-arrays/p-run.json")), "the prefix is not claimed");

    UsageException both = assertThrows(UsageException.class, () -> predictTable(
        penguinsTable("t", penguinFields(), storage), tmp.resolve("bq-both/p").toString(),
        "--input=bq://proj.ds.t", "--query=SELECT 1"));
    assertTrue(both.getMessage().startsWith("--input and --query are alternatives"), both.getMessage());
    UsageException restricted = assertThrows(UsageException.class, () -> predict(
        tmp.resolve("x.csv").toString(), tmp.resolve("bq-files/p").toString(), "--rowRestriction=id > 0"));
    assertTrue(restricted.getMessage().startsWith("--rowRestriction filters a BigQuery table"),
        restricted.getMessage());
  }
}
