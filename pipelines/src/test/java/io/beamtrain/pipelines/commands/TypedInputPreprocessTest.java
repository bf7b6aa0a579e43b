package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.cli.ExitStatus;
import io.beamtrain.pipelines.preprocess.DataSchema;
import io.beamtrain.pipelines.preprocess.DataStats;
import io.beamtrain.pipelines.preprocess.TypedFiles;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Preprocess of Parquet and Avro files written with the real libraries: the schema comes from the
 * file, logical types map as documented, bad rows are rejected with file and record index, and a
 * column that cannot be a feature stops the run naming it.
 */
class TypedInputPreprocessTest {
  static final Schema PENGUINS = TypedFiles.PENGUINS;

  private static final Schema DECIMAL =
      LogicalTypes.decimal(7, 2).addToSchema(Schema.create(Schema.Type.BYTES));
  private static final Schema COLOUR =
      Schema.createEnum("colour", null, null, List.of("RED", "GREEN"));
  /** One column of every mapped type, the label nullable. */
  private static final Schema EVERY_TYPE = SchemaBuilder.record("row").fields()
      .name("y").type().unionOf().nullType().and().doubleType().endUnion().noDefault()
      .requiredInt("count")
      .requiredFloat("ratio")
      .name("price").type(DECIMAL).noDefault()
      .name("day").type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)))
      .noDefault()
      .name("seen").type(LogicalTypes.timestampMillis()
          .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
      .requiredBoolean("member")
      .name("colour").type(COLOUR).noDefault()
      .optionalString("city")
      .endRecord();

  @TempDir Path tmp;
  List<String> penguinLines;

  @BeforeEach
  void readPenguins() throws IOException {
    try (InputStream in = getClass().getResourceAsStream(PreprocessPipelineTest.PENGUINS)) {
      penguinLines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "avro"})
  void penguinsAsATypedFileGiveTheCsvDataset(String format) throws IOException {
    Path csv = tmp.resolve("penguins.csv");
    Files.write(csv, penguinLines);
    Path typed = tmp.resolve("penguins." + format);
    write(typed, PENGUINS, TypedFiles.fromCsv(penguinLines, PENGUINS));

    // All rows train: the split hashes a row's text, and 18.0 is written "18" in the CSV.
    TransformSpec fromCsv = run(csv, "csv", "--evalFraction=0");
    TransformSpec fromTyped = run(typed, format, "--evalFraction=0");

    assertEquals(fromCsv.label(), fromTyped.label());
    assertEquals(344, fromTyped.split().trainExamples());
    PreprocessPipelineTest.assertSameFeatures(fromCsv.features(), fromTyped.features());
    DataStats stats = stats(format);
    assertEquals(344, stats.rows());
    assertEquals(10L, stats.missing().get("sex"));
    assertEquals(2L, stats.missing().get("body_mass_g"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "avro"})
  void everyLogicalTypeNullsAndBadRowsAsDocumented(String format) throws IOException {
    List<GenericRecord> rows = new ArrayList<>();
    double daySum = 0;
    for (int i = 0; i < 20; i++) {
      rows.add(row((double) i, i, 0.5f * i, "1." + (10 + i), 19000 + i, 1_700_000_000_000L + 1000L * i,
          i % 3 == 0, i % 2 == 0 ? "RED" : "GREEN", i % 4 == 0 ? null : "Oslo"));
      daySum += 19000 + i;
    }
    rows.add(row(null, 1, 1f, "1.00", 19000, 0L, true, "RED", "Oslo"));            // record 21
    rows.add(row(1.0, 1, Float.POSITIVE_INFINITY, "1.00", 19000, 0L, true, "RED", null));  // 22
    rows.add(row(Double.NaN, 1, 1f, "1.00", 19000, 0L, true, "RED", null));           // 23
    Path file = tmp.resolve("rows." + format);
    write(file, EVERY_TYPE, rows);

    TransformSpec spec = run(file, format, "--evalFraction=0", "--maxRejectedFraction=0.2");

    DataSchema schema = DataSchema.parse(
        Files.readString(tmp.resolve(format).resolve("data/schema.json")), "schema.json");
    Map<String, FeatureType> types = new TreeMap<>();
    schema.columns().forEach(c -> types.put(c.name(), c.type()));
    assertEquals(Map.of("y", FeatureType.NUMERIC, "count", FeatureType.NUMERIC,
        "ratio", FeatureType.NUMERIC, "price", FeatureType.NUMERIC, "day", FeatureType.NUMERIC,
        "seen", FeatureType.NUMERIC, "member", FeatureType.CATEGORICAL,
        "colour", FeatureType.CATEGORICAL, "city", FeatureType.CATEGORICAL), types);

    assertEquals(20, spec.split().trainExamples());
    assertEquals(daySum / 20, feature(spec, "day").mean(), 1e-9, "days since the epoch");
    assertEquals(1_700_000_000.0, feature(spec, "seen").min(), 1e-3, "seconds since the epoch");
    assertEquals(1.10, feature(spec, "price").min(), 1e-6);
    assertEquals(1.29, feature(spec, "price").max(), 1e-6);
    assertEquals(List.of("false", "true"), sorted(feature(spec, "member").vocabulary()));
    assertEquals(List.of("GREEN", "RED"), sorted(feature(spec, "colour").vocabulary()));
    assertEquals(5, feature(spec, "city").missing(), "nulls are missing values");

    DataStats stats = stats(format);
    assertEquals(23, stats.rows());
    assertEquals(Map.of("MISSING_LABEL", 2L, "UNPARSABLE_NUMBER", 1L), stats.rejectedByReason(),
        "a null label and a NaN label are both missing; an infinity is no number");
    Map<Long, JsonNode> rejected = new TreeMap<>();
    for (String line : Files.readAllLines(
        tmp.resolve(format).resolve("data/rejected/rejected-00000-of-00001.jsonl"))) {
      JsonNode node = new ObjectMapper().readTree(line);
      assertEquals(file.toString(), node.get("file").asText());
      rejected.put(node.get("line").asLong(), node);
    }
    assertEquals(List.of(21L, 22L, 23L), List.copyOf(rejected.keySet()), "record indexes");
    assertTrue(rejected.get(22L).get("detail").asText().contains("'ratio'"),
        rejected.get(22L).toString());
    assertTrue(rejected.get(21L).get("raw").asText().contains("\"y\": null"),
        rejected.get(21L).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "avro"})
  void aColumnThatCannotBeAFeatureStopsTheRunNamingItUnlessIgnored(String format)
      throws IOException {
    Schema withTags = SchemaBuilder.record("row").fields()
        .requiredString("species").requiredDouble("mass")
        .name("tags").type().array().items().stringType().noDefault().endRecord();
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      GenericRecord record = new GenericData.Record(withTags);
      record.put("species", i % 2 == 0 ? "a" : "b");
      record.put("mass", 1.0 * i);
      record.put("tags", List.of("x"));
      rows.add(record);
    }
    Path file = tmp.resolve("tags." + format);
    write(file, withTags, rows);
    Path out = tmp.resolve("out");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run(new String[] {"preprocess",
        "--input=" + file, "--output=" + out, "--label=species"});
    String message = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(ExitStatus.BAD_INPUT, status, message);
    assertTrue(message.contains(file + ": column 'tags' is an array"), message);
    assertEquals(1, message.lines().count(), message);
    assertFalse(Files.exists(out.resolve("data/transform.json")));

    PreprocessPipeline.run(PreprocessPipelineTest.options("--input=" + file, "--output=" + out,
        "--label=species", "--ignore=tags", "--evalFraction=0"));
    TransformSpec spec = ExampleDataset.open(out.resolve("data").toString(),
        PreprocessPipelineTest.LOCAL).spec();
    assertEquals(List.of("mass"), spec.features().stream().map(FeatureSpec::name).toList());

    // A schema file that names the column is refused, before the pipeline runs.
    Path schemaFile = tmp.resolve("schema.yaml");
    Files.writeString(schemaFile, "label: species\ncolumns:\n  - {name: species, type: CATEGORICAL}\n"
        + "  - {name: tags, type: CATEGORICAL}\n");
    BadInputException e = assertThrows(BadInputException.class,
        () -> PreprocessPipeline.run(PreprocessPipelineTest.options("--input=" + file,
            "--output=" + tmp.resolve("out2"), "--label=species", "--schema=" + schemaFile)));
    assertTrue(e.getMessage().contains("column 'tags' is an array"), e.getMessage());
  }

  @Test
  void anEmptyFileAmongOthersCostsNothingAndAnEmptyInputHasNoRows() throws IOException {
    Path dir = tmp.resolve("parts");
    List<GenericRecord> penguins = TypedFiles.fromCsv(penguinLines, PENGUINS);
    TypedFiles.writeParquet(dir.resolve("a-empty.parquet"), PENGUINS, List.of());
    TypedFiles.writeParquet(dir.resolve("b.parquet"), PENGUINS, penguins.subList(0, 200));
    TypedFiles.writeAvro(tmp.resolve("empty.avro"), PENGUINS, List.of());

    TransformSpec spec = run(dir.resolve("*.parquet"), "glob", "--evalFraction=0");
    assertEquals(200, spec.split().trainExamples());
    assertEquals(200, stats("glob").rows());

    BadInputException e = assertThrows(BadInputException.class,
        () -> run(tmp.resolve("empty.avro"), "empty"));
    assertTrue(e.getMessage().endsWith("empty.avro has no usable row (0 rows read)"),
        e.getMessage());
  }

  private GenericRecord row(Double y, int count, float ratio, String price, int day, long seen,
      boolean member, String colour, String city) {
    GenericRecord record = new GenericData.Record(EVERY_TYPE);
    record.put("y", y);
    record.put("count", count);
    record.put("ratio", ratio);
    record.put("price", new Conversions.DecimalConversion().toBytes(
        new BigDecimal(price), DECIMAL, DECIMAL.getLogicalType()));
    record.put("day", day);
    record.put("seen", seen);
    record.put("member", member);
    record.put("colour", new GenericData.EnumSymbol(COLOUR, colour));
    record.put("city", city);
    return record;
  }

  private static void write(Path file, Schema schema, List<GenericRecord> rows)
      throws IOException {
    if (file.toString().endsWith(".parquet")) {
      TypedFiles.writeParquet(file, schema, rows);
    } else {
      TypedFiles.writeAvro(file, schema, rows);
    }
  }

  private TransformSpec run(Path input, String name, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "--input=" + input, "--output=" + tmp.resolve(name), "--label=" + labelOf(input)));
    args.addAll(List.of(more));
    PreprocessPipeline.run(PreprocessPipelineTest.options(args.toArray(new String[0])));
    return ExampleDataset.open(tmp.resolve(name).resolve("data").toString(),
        PreprocessPipelineTest.LOCAL).spec();
  }

  private static String labelOf(Path input) {
    return input.getFileName().toString().startsWith("rows") ? "y" : "species";
  }

  private DataStats stats(String name) throws IOException {
    return DataStats.fromJson(
        Files.readString(tmp.resolve(name).resolve("data").resolve(DataStats.FILE_NAME)));
  }

  private static FeatureSpec feature(TransformSpec spec, String name) {
    return spec.features().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<String> sorted(List<String> values) {
    return values.stream().sorted().toList();
  }
}
