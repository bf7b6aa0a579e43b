package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.preprocess.DataSchema;
import io.beamtrain.pipelines.preprocess.DataStats;
import io.beamtrain.pipelines.preprocess.DecimalText;
import io.beamtrain.pipelines.preprocess.DirectPipelines;
import io.beamtrain.pipelines.preprocess.FeatureNames;
import io.beamtrain.pipelines.preprocess.ParseRowsTest;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.data.DenseData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.RawRow;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TfRecords;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import io.beamtrain.trainer.data.TransformSpec.Task;
import io.beamtrain.trainer.data.TransformSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole preprocess runs on the DirectRunner, read back with the trainer's reader. */
public class PreprocessPipelineTest {
  public static final String PENGUINS = "/io/beamtrain/pipelines/demo/penguins.csv";
  static final StorageConfig LOCAL = StorageConfig.defaults();

  @TempDir Path tmp;
  Path penguins;
  List<String> penguinLines;

  @BeforeEach
  void copyPenguins() throws IOException {
    penguins = tmp.resolve("penguins.csv");
    try (InputStream in = getClass().getResourceAsStream(PENGUINS)) {
      Files.copy(in, penguins);
    }
    penguinLines = Files.readAllLines(penguins);
  }

  static PreprocessPipeline.Options options(String... args) {
    return PipelineOptionsFactory.fromArgs(args)
        .withValidation()
        .as(PreprocessPipeline.Options.class);
  }

  /** Every example of a split, decoded by the trainer's codec. */
  static List<RawRow> decode(ExampleDataset data, Split split) {
    List<RawRow> rows = new ArrayList<>();
    for (String file : data.files(split)) {
      long index = 0;
      for (byte[] record : TfRecords.readAll(file, LOCAL)) {
        rows.add(data.examples().decode(record, file, index++));
      }
    }
    return rows;
  }

  @Test
  void penguinsBecomeShardsThatTheTrainerReadsBackWithTheRightStatistics() throws IOException {
    Path out = tmp.resolve("out");
    PreprocessPipeline.run(
        options("--input=" + penguins, "--output=" + out, "--label=species", "--numShards=5"));

    Path dataDir = out.resolve("data");
    ExampleDataset data = ExampleDataset.open(dataDir.toString(), LOCAL);
    TransformSpec spec = data.spec();
    assertEquals(Task.MULTICLASS_CLASSIFICATION, spec.label().task());
    assertEquals(List.of("Adelie", "Chinstrap", "Gentoo"), spec.label().vocabulary());
    assertEquals(
        List.of("train-00000-of-00004.tfrecord.gz", "train-00001-of-00004.tfrecord.gz",
            "train-00002-of-00004.tfrecord.gz", "train-00003-of-00004.tfrecord.gz"),
        spec.split().trainFiles());
    assertEquals(List.of("eval-00000-of-00001.tfrecord.gz"), spec.split().evalFiles());
    assertEquals(344, spec.split().trainExamples() + spec.split().evalExamples());
    assertFalse(Files.exists(dataDir.resolve(".temp-beam")), "Beam's temp directory is removed");

    List<RawRow> train = decode(data, Split.TRAIN);
    List<RawRow> eval = decode(data, Split.EVAL);
    assertEquals(spec.split().trainExamples(), train.size());
    assertEquals(spec.split().evalExamples(), eval.size());
    assertTrue(eval.size() > 40 && eval.size() < 100, "about 20% of 344: " + eval.size());

    // Feature statistics are those of the decoded training examples, computed here by hand.
    for (int f = 0; f < spec.features().size(); f++) {
      FeatureSpec feature = spec.features().get(f);
      if (feature.type() == FeatureType.NUMERIC) {
        double sum = 0;
        double squares = 0;
        double min = Double.POSITIVE_INFINITY;
        long n = 0;
        long missing = 0;
        for (RawRow row : train) {
          float x = row.number(f);
          if (Float.isNaN(x)) {
            missing++;
            continue;
          }
          n++;
          sum += x;
          squares += (double) x * x;
          min = Math.min(min, x);
        }
        double mean = sum / n;
        assertEquals(mean, feature.mean(), 1e-4, feature.name());
        assertEquals(Math.sqrt(squares / n - mean * mean), feature.stddev(), 1e-3, feature.name());
        assertEquals(min, feature.min(), 1e-4, feature.name());
        assertEquals(missing, feature.missing(), feature.name());
      } else {
        Map<String, Integer> counts = new TreeMap<>();
        for (RawRow row : train) {
          if (!row.string(f).isEmpty()) {
            counts.merge(row.string(f), 1, Integer::sum);
          }
        }
        List<String> byFrequency = new ArrayList<>(counts.keySet());
        byFrequency.sort((a, b) -> counts.get(b) - counts.get(a));
        assertEquals(byFrequency, feature.vocabulary(), feature.name());
      }
    }
    // The trainer's dense encoding loads the split too.
    DenseData dense = data.load(Split.TRAIN);
    assertEquals(train.size(), dense.n());

    DataStats stats = DataStats.fromJson(Files.readString(dataDir.resolve(DataStats.FILE_NAME)));
    assertEquals(344, stats.rows());
    assertEquals(0, stats.rejected());
    assertEquals(10L, stats.missing().get("sex"), "penguins has 10 rows without sex");
    assertEquals(2L, stats.missing().get("body_mass_g"));
    DataSchema written =
        DataSchema.parse(Files.readString(dataDir.resolve("schema.json")), "schema.json");
    assertEquals(Task.MULTICLASS_CLASSIFICATION, written.task());
  }

  @Test
  void oneCsvTwoCsvFilesByGlobAndJsonLinesGiveTheSameDataset() throws IOException {
    Path parts = tmp.resolve("parts");
    Files.createDirectories(parts);
    String header = penguinLines.get(0);
    Files.write(parts.resolve("a.csv"), concat(header, penguinLines.subList(1, 150)));
    Files.write(parts.resolve("b.csv"), concat(header, penguinLines.subList(150, 345)));
    Path jsonl = tmp.resolve("penguins.jsonl");
    Files.write(jsonl, toJsonLines(penguinLines));

    TransformSpec single = runAndReadSpec(penguins.toString(), "single");
    TransformSpec globbed = runAndReadSpec(parts.resolve("*.csv").toString(), "glob");
    TransformSpec json = runAndReadSpec(jsonl.toString(), "jsonl");
    // The split depends on row content only, so the same rows land in the same split; the
    // statistics agree up to the rounding of a parallel floating-point reduction.
    for (TransformSpec other : List.of(globbed, json)) {
      assertEquals(single.label(), other.label());
      assertEquals(single.split().trainExamples(), other.split().trainExamples());
      assertEquals(single.split().evalExamples(), other.split().evalExamples());
      assertSameFeatures(single.features(), other.features());
    }
  }

  static void assertSameFeatures(List<FeatureSpec> expected, List<FeatureSpec> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      FeatureSpec e = expected.get(i);
      FeatureSpec a = actual.get(i);
      assertEquals(e.name(), a.name());
      assertEquals(e.type(), a.type());
      assertEquals(e.missing(), a.missing(), e.name());
      assertEquals(e.vocabulary(), a.vocabulary(), e.name());
      if (e.type() == FeatureType.NUMERIC) {
        assertEquals(e.mean(), a.mean(), 1e-9 * Math.abs(e.mean()), e.name());
        assertEquals(e.stddev(), a.stddev(), 1e-9 * e.stddev(), e.name());
        assertEquals(e.min(), a.min(), e.name());
        assertEquals(e.max(), a.max(), e.name());
      }
    }
  }

  private TransformSpec runAndReadSpec(String input, String name) {
    Path out = tmp.resolve(name);
    PreprocessPipeline.run(options("--input=" + input, "--output=" + out, "--label=species"));
    return ExampleDataset.open(out.resolve("data").toString(), LOCAL).spec();
  }

  @Test
  void tooManyRejectedRowsFailTheRunNamingTheCountsAndTheFlag() throws IOException {
    Path messy = tmp.resolve("messy.csv");
    try (InputStream in = getClass().getResourceAsStream("/preprocess/messy.csv")) {
      Files.copy(in, messy);
    }
    Path schema = tmp.resolve("messy-schema.json");
    Files.writeString(schema, ParseRowsTest.SCHEMA.toJson());
    Path out = tmp.resolve("out");
    Path dataDir = out.resolve("data");

    // Allowing 70% rejected rows, the input commits a dataset and the rejected rows are listed.
    PreprocessPipeline.run(
        options("--input=" + messy, "--output=" + out, "--label=label", "--schema=" + schema,
            "--maxRejectedFraction=0.7", "--evalFraction=0", "--allowQuotedNewlines=true"));
    TransformSpec spec = ExampleDataset.open(dataDir.toString(), LOCAL).spec();
    assertEquals(Task.BINARY_CLASSIFICATION, spec.label().task());
    assertEquals(4, spec.split().trainExamples());
    List<String> rejected =
        Files.readAllLines(dataDir.resolve("rejected/rejected-00000-of-00001.jsonl"));
    ObjectMapper json = new ObjectMapper();
    Map<Long, String> reasons = new TreeMap<>();
    for (String line : rejected) {
      JsonNode node = json.readTree(line);
      assertEquals(messy.toString(), node.get("file").asText());
      reasons.put(node.get("line").asLong(), node.get("reason").asText());
    }
    assertEquals(
        Map.of(6L, "WRONG_COLUMN_COUNT", 7L, "WRONG_COLUMN_COUNT", 8L, "UNPARSABLE_NUMBER",
            9L, "MISSING_LABEL", 10L, "BAD_QUOTING", 11L, "BAD_QUOTING"),
        reasons);

    // With the default limit the same input fails, and the previous dataset is no longer valid.
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () ->
                PreprocessPipeline.run(
                    options("--input=" + messy, "--output=" + out, "--label=label",
                        "--schema=" + schema, "--allowQuotedNewlines=true")));
    assertTrue(
        e.getMessage().startsWith("6 of 10 input rows (60.0%) were rejected, more than"
            + " --maxRejectedFraction=0.1 allows"),
        e.getMessage());
    assertTrue(e.getMessage().contains("BAD_QUOTING=2"), e.getMessage());
    assertFalse(Files.exists(dataDir.resolve(TransformSpec.FILE_NAME)));
    DataStats stats = DataStats.fromJson(Files.readString(dataDir.resolve(DataStats.FILE_NAME)));
    assertEquals(6, stats.rejected());
    assertEquals(0.1, stats.maxRejectedFraction());
    assertEquals(Map.of("BAD_QUOTING", 2L, "MISSING_LABEL", 1L, "UNPARSABLE_NUMBER", 1L,
        "WRONG_COLUMN_COUNT", 2L), stats.rejectedByReason());
  }

  @Test
  void aStrayQuoteAndATypoCostTheirOwnRowsOnlyAndLeftoverTempFilesAreRemoved() throws IOException {
    StringBuilder csv = new StringBuilder("species,island,bill_length_mm\n");
    for (int i = 0; i < 22; i++) {
      String species = i < 11 ? "Adelie" : "Gentoo";
      String row = i == 3 ? "Adelie,\"Torgersen,39.1"
          : i == 15 ? "Gentoo,Biscoe,abc"
          : species + "," + (i % 2 == 0 ? "Torgersen" : "Biscoe") + "," + (35 + i * 0.5);
      csv.append(row).append('\n');
    }
    Path input = tmp.resolve("rows.csv");
    Files.writeString(input, csv);
    Path out = tmp.resolve("out");
    Path dataDir = out.resolve("data");
    // What a killed run leaves: Beam's bundle files, named by UUID; and a file that is not one.
    Path leftover = dataDir.resolve(".temp-beam/3f2c9a4e-0b7d-4c1e-9a55-2e8f6d1b7c90");
    Path rejectedLeftover =
        dataDir.resolve("rejected/.temp-beam/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
    Path notBeams = dataDir.resolve(".temp-beam/notes.txt");
    for (Path file : List.of(leftover, rejectedLeftover, notBeams)) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "partial");
    }

    PreprocessPipeline.run(
        options("--input=" + input, "--output=" + out, "--label=species", "--evalFraction=0"));

    DataStats stats = DataStats.fromJson(Files.readString(dataDir.resolve(DataStats.FILE_NAME)));
    assertEquals(22, stats.rows(), "one row per physical line");
    assertEquals(20, stats.examples());
    assertEquals(Map.of("BAD_QUOTING", 1L, "UNPARSABLE_NUMBER", 1L), stats.rejectedByReason());
    Map<Long, String> reasons = new TreeMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line :
        Files.readAllLines(dataDir.resolve("rejected/rejected-00000-of-00001.jsonl"))) {
      JsonNode node = json.readTree(line);
      reasons.put(node.get("line").asLong(), node.get("reason").asText());
    }
    assertEquals(Map.of(5L, "BAD_QUOTING", 17L, "UNPARSABLE_NUMBER"), reasons);
    TransformSpec spec = ExampleDataset.open(dataDir.toString(), LOCAL).spec();
    assertEquals(List.of("Adelie", "Gentoo"), spec.label().vocabulary());
    assertEquals(FeatureType.NUMERIC, spec.features().get(1).type(), "one 'abc' keeps it NUMERIC");

    assertFalse(Files.exists(leftover));
    assertFalse(Files.exists(rejectedLeftover));
    assertFalse(Files.exists(rejectedLeftover.getParent()));
    assertTrue(Files.exists(notBeams), "only Beam's own bundle files are removed");
  }

  @Test
  void aFeatureNameThatCannotBeATensorFlowInputIsRejectedBeforeAnyWork() throws IOException {
    Path input = tmp.resolve("slash.csv");
    Files.writeString(input, "species,beak/length,island\nAdelie,39.1,Biscoe\nGentoo,45,Dream\n");
    Path out = tmp.resolve("out");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PreprocessPipeline.run(
                options("--input=" + input, "--output=" + out, "--label=species")));
    assertTrue(e.getMessage().startsWith("column 'beak/length' cannot be a feature"),
        e.getMessage());
    assertTrue(e.getMessage().contains(FeatureNames.RULE), e.getMessage());
    assertFalse(Files.exists(out), "nothing was written");

    // Left out, the column is no obstacle.
    PreprocessPipeline.run(
        options("--input=" + input, "--output=" + out, "--label=species", "--ignore=beak/length",
            "--evalFraction=0"));
    assertTrue(Files.exists(out.resolve("data").resolve(TransformSpec.FILE_NAME)));
  }

  @Test
  void numericLabelsAreRegressionUnlessTheyAreZeroOneCodes() throws IOException {
    StringBuilder csv = new StringBuilder("x,colour,y,flag\n");
    double sum = 0;
    for (int i = 0; i < 200; i++) {
      double y = 2.5 * i + 1;
      csv.append(i).append(',').append(i % 3 == 0 ? "red" : "blue").append(',').append(y)
          .append(',').append(i % 4 == 0 ? 1 : 0).append('\n');
      sum += y;
    }
    Path input = tmp.resolve("numbers.csv");
    Files.writeString(input, csv);

    Path regression = tmp.resolve("regression");
    PreprocessPipeline.run(
        options("--input=" + input, "--output=" + regression, "--label=y", "--evalFraction=0"));
    TransformSpec spec = ExampleDataset.open(regression.resolve("data").toString(), LOCAL).spec();
    assertEquals(Task.REGRESSION, spec.label().task());
    assertEquals(sum / 200, spec.label().mean(), 1e-9);
    assertEquals(List.of("x", "colour", "flag"),
        spec.features().stream().map(FeatureSpec::name).toList());
    assertEquals(List.of("blue", "red"), spec.features().get(1).vocabulary());

    Path binary = tmp.resolve("binary");
    PreprocessPipeline.run(
        options("--input=" + input, "--output=" + binary, "--label=flag", "--ignore=y"));
    spec = ExampleDataset.open(binary.resolve("data").toString(), LOCAL).spec();
    assertEquals(Task.BINARY_CLASSIFICATION, spec.label().task());
    assertEquals(List.of("0", "1"), spec.label().vocabulary());
    assertEquals(List.of("x", "colour"), spec.features().stream().map(FeatureSpec::name).toList());
  }

  @Test
  void aSchemaFileAndIgnoredColumnsDecideTheFeatures() throws IOException {
    Path schema = tmp.resolve("schema.yaml");
    Files.writeString(
        schema,
        """
        label: species
        columns:
          - {name: species, type: CATEGORICAL}
          - {name: island, type: CATEGORICAL}
          - {name: flipper_length_mm, type: CATEGORICAL}
          - {name: body_mass_g, type: NUMERIC}
          - {name: sex, type: CATEGORICAL}
        """);
    Path out = tmp.resolve("out");
    PreprocessPipeline.run(
        options("--input=" + penguins, "--output=" + out, "--label=species",
            "--schema=" + schema, "--ignore=sex", "--vocabTopK=5"));
    TransformSpec spec = ExampleDataset.open(out.resolve("data").toString(), LOCAL).spec();
    assertEquals(
        List.of("island", "flipper_length_mm", "body_mass_g"),
        spec.features().stream().map(FeatureSpec::name).toList());
    FeatureSpec flipper = spec.features().get(1);
    assertEquals(FeatureType.CATEGORICAL, flipper.type());
    assertEquals(5, flipper.vocabulary().size(), "--vocabTopK cuts the vocabulary");
  }

  @Test
  void aLabelTheSchemaFileContradictsIsRejectedBeforeRunning() throws IOException {
    Path schema = tmp.resolve("schema.json");
    Files.writeString(
        schema,
        "{\"label\": \"island\", \"columns\": [{\"name\": \"island\", \"type\": \"CATEGORICAL\"},"
            + " {\"name\": \"sex\", \"type\": \"CATEGORICAL\"}]}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PreprocessPipeline.run(
                    options("--input=" + penguins, "--output=" + tmp.resolve("out"),
                        "--label=species", "--schema=" + schema)));
    assertTrue(e.getMessage().contains("--label=species but the schema file"), e.getMessage());
  }

  @Test
  void theCompositeEmitsTheDataDirectoryOnlyOnceTransformJsonIsWritten() {
    Path out = tmp.resolve("out");
    PreprocessSettings settings =
        PreprocessSettings.of(penguins.toString(), out.toString(), "species").withShards(2, 1);
    Pipeline p = DirectPipelines.create();
    PCollection<String> done = p.apply(Preprocess.from(settings));
    PCollection<Boolean> committed =
        done.apply(
            MapElements.into(TypeDescriptors.booleans())
                .via(dir -> Files.exists(Path.of(dir, TransformSpec.FILE_NAME))));
    PAssert.that(done).containsInAnyOrder(settings.dataDir());
    PAssert.that(committed).containsInAnyOrder(true);
    p.run().waitUntilFinish();
  }

  private static List<String> concat(String header, List<String> lines) {
    List<String> all = new ArrayList<>();
    all.add(header);
    all.addAll(lines);
    return all;
  }

  /** The penguins CSV as JSON Lines: numbers as JSON numbers with the same text, blanks null. */
  private static List<String> toJsonLines(List<String> csvLines) {
    ObjectMapper json = new ObjectMapper();
    String[] header = csvLines.get(0).split(",", -1);
    List<String> lines = new ArrayList<>();
    for (String line : csvLines.subList(1, csvLines.size())) {
      String[] cells = line.split(",", -1);
      ObjectNode node = json.createObjectNode();
      for (int i = 0; i < header.length; i++) {
        if (cells[i].isEmpty()) {
          node.putNull(header[i]);
        } else if (DecimalText.isDecimal(cells[i])) {
          node.putRawValue(header[i], new com.fasterxml.jackson.databind.util.RawValue(cells[i]));
        } else {
          node.put(header[i], cells[i]);
        }
      }
      lines.add(node.toString());
    }
    return lines;
  }
}
