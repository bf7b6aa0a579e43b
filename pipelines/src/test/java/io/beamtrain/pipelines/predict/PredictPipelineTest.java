package io.beamtrain.pipelines.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.cli.UsageException;
import io.beamtrain.pipelines.sweep.SweepPipeline;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
    JsonNode badNumber = rejected.stream().filter(r -> r.path("reason").asText().equals("INVALID_VALUE"))
        .findFirst().orElseThrow();
    assertEquals(347, badNumber.path("line").asLong());
    assertTrue(badNumber.path("detail").asText().contains("not-a-number"), badNumber.toString());
  }

  @Test
  void scoresJsonLinesWithAKeyColumn() throws Exception {
    Path input = tmp.resolve("score-json/rows.jsonl");
    Files.createDirectories(input.getParent());
    Files.writeString(input, """
        {"id": "a", "island": "Biscoe", "beak_length_mm": 46.1, "beak_depth_mm": 13.2, "flipper_length_mm": 211, "body_mass_g": 4500, "sex": "FEMALE"}
        {"id": "b", "island": "Torgersen", "beak_length_mm": 39.1, "beak_depth_mm": 18.7, "flipper_length_mm": 181, "body_mass_g": 3750, "sex": "MALE"}
        {"id": "c", "island": "Dream", "beak_length_mm": 46.5, "beak_depth_mm": 17.9, "flipper_length_mm": 192, "body_mass_g": null}
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

  private static List<String> iterate(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
