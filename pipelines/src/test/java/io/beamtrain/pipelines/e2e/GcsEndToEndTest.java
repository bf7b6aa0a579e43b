package io.beamtrain.pipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole product on gs://: preprocess, sweep, export and predict through the command line with
 * input, output and model on the in-process GCS test server ({@code --gcsEndpoint}, no
 * credentials), nothing on local disk but temporary copies.
 */
class GcsEndToEndTest {
  private static final String BUCKET = "beamtrain-e2e";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static GcsTestServer server;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private int run(StringBuilder log, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] withGcs = Stream.concat(Stream.of(args),
            Stream.of("--gcsEndpoint=" + server.endpoint(), "--gcsNoCredentials"))
        .toArray(String[]::new);
    int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8), Commands.all()).run(withGcs);
    log.append(out.toString(StandardCharsets.UTF_8));
    return status;
  }

  @Test
  void preprocessSweepExportAndPredictOnGcs() throws Exception {
    String root = "gs://" + BUCKET + "/run";
    server.putObject(BUCKET, "input/penguins.csv", PenguinsData.csv().getBytes(StandardCharsets.UTF_8));
    server.putObject(BUCKET, "study.yaml", """
        metric: {name: eval_loss}
        algorithm: GRID
        trainSteps: 250
        evalEverySteps: 125
        checkpointEverySteps: 125
        parameters:
          - {name: learning_rate, type: DISCRETE, values: [0.01, 0.03]}
        fixed: {model: dnn, hidden_units: 16, num_layers: 1, batch_size: 32}
        """.getBytes(StandardCharsets.UTF_8));
    StringBuilder log = new StringBuilder();

    assertEquals(0, run(log, "preprocess", "--input=gs://" + BUCKET + "/input/*.csv", "--output=" + root,
        "--label=species"), log.toString());
    assertEquals(0, run(log, "sweep", "--output=" + root, "--study=gs://" + BUCKET + "/study.yaml",
        "--progressEverySeconds=0"), log.toString());
    server.deleteObject(BUCKET, "run/best/best.json");
    assertEquals(0, run(log, "export", "--output=" + root), log.toString());
    assertEquals(0, run(log, "predict", "--model=" + root + "/best", "--input=gs://" + BUCKET + "/input/penguins.csv",
        "--predictions=gs://" + BUCKET + "/predictions/penguins"), log.toString());

    List<String> names = server.objectNames(BUCKET);
    for (String expected : List.of("run/data/transform.json", "run/data/stats.json", "run/study.json",
        "run/results.jsonl", "run/results.csv", "run/trials/trial-0000/checkpoint",
        "run/trials/trial-0001/result.json", "run/best/best.json", "run/best/model.meta",
        "run/best/checkpoint", "run/best/saved_model/saved_model.pb")) {
      assertTrue(names.contains(expected), expected + " missing from " + names);
    }
    assertFalse(names.stream().anyMatch(n -> n.endsWith("/")), "directory marker objects: " + names);

    String results = new String(server.getObject(BUCKET, "run/results.jsonl").orElseThrow(), StandardCharsets.UTF_8);
    assertEquals(2, results.lines().count(), results);
    JsonNode best = JSON.readTree(server.getObject(BUCKET, "run/best/best.json").orElseThrow());
    assertTrue(best.path("metrics").path("eval_accuracy").asDouble() >= 0.95, best.toString());
    assertTrue(best.path("checkpoint").asText().startsWith(root + "/trials/"), best.toString());

    List<JsonNode> predictions = new ArrayList<>();
    for (String name : server.objectNames(BUCKET, "predictions/penguins-")) {
      if (name.endsWith(".jsonl")) {
        for (String line : new String(server.getObject(BUCKET, name).orElseThrow(), StandardCharsets.UTF_8)
            .split("\n")) {
          if (!line.isBlank()) {
            predictions.add(JSON.readTree(line));
          }
        }
      }
    }
    assertEquals(344, predictions.size(), log.toString());
    long correct = predictions.stream()
        .filter(p -> p.path("class").asText().equals(p.path("species").asText())).count();
    assertTrue(correct >= 0.95 * 344, correct + " of 344 correct");
  }
}
