package io.beamtrain.pipelines.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.commands.RetrainPipelineTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code beamtrain retrain} with slices and registry on the in-process GCS test server: a first
 * version, an idempotent re-run, a warm-started promotion with LATEST moved by a generation
 * precondition, and a dangling LATEST that fails before anything is written.
 */
class RetrainOnGcsTest {
  private static final String BUCKET = "beamtrain-retrain";
  private static GcsTestServer server;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
    RetrainSlices slices = RetrainSlices.penguins(3);
    put("slices/a/part.csv", slices.csv(0, 172));
    put("slices/b/part.csv", slices.csv(172, slices.size()));
    put("study.yaml", RetrainPipelineTest.STUDY);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  static void put(String name, String text) {
    server.putObject(BUCKET, name, text.getBytes(StandardCharsets.UTF_8));
  }

  static String get(String name) {
    return new String(server.getObject(BUCKET, name).orElseThrow(() -> new AssertionError("no " + name)),
        StandardCharsets.UTF_8);
  }

  record Run(int status, String log) {}

  static Run retrain(String models, String slice, String... more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    String[] args = Stream.concat(
            Stream.of("retrain", "--input=gs://" + BUCKET + "/slices/" + slice + "/*.csv",
                "--models=gs://" + BUCKET + "/" + models, "--label=species",
                "--study=gs://" + BUCKET + "/study.yaml",
                "--gcsEndpoint=" + server.endpoint(), "--gcsNoCredentials"),
            Stream.of(more))
        .toArray(String[]::new);
    int status = new Cli(print, print, Commands.all()).run(args);
    return new Run(status, out.toString(StandardCharsets.UTF_8));
  }

  /** Object name -> generation for every registry object outside runs/. */
  static Map<String, Long> registryObjects(String models) {
    Map<String, Long> out = new TreeMap<>();
    for (String name : server.objectNames(BUCKET)) {
      if (name.startsWith(models + "/") && !name.startsWith(models + "/runs/")) {
        out.put(name, server.generation(BUCKET, name).orElseThrow());
      }
    }
    return out;
  }

  @Test
  void retrainsPromotesAndStaysIdempotentOnGcs() {
    Run first = retrain("models", "a");
    assertEquals(0, first.status(), first.log());
    String v1 = get("models/LATEST").trim();
    assertTrue(v1.startsWith("v0001-"), v1);
    ModelCard card1 = ModelCard.fromJson(get("models/" + v1 + "/model_card.json"), v1);
    assertEquals(1, card1.number());
    assertTrue(server.objectNames(BUCKET).contains("models/" + v1 + "/saved_model/saved_model.pb"));

    Map<String, Long> before = registryObjects("models");
    Run again = retrain("models", "a");
    assertEquals(0, again.status(), again.log());
    assertEquals(before, registryObjects("models"), "re-running a slice writes nothing to the registry");

    Run second = retrain("models", "b", "--trainSteps=300");
    assertEquals(0, second.status(), second.log());
    String v2 = get("models/LATEST").trim();
    assertTrue(v2.startsWith("v0002-"), second.log());
    ModelCard card2 = ModelCard.fromJson(get("models/" + v2 + "/model_card.json"), v2);
    assertEquals(v1, card2.parent());
    assertEquals("gs://" + BUCKET + "/models/" + v1 + "/" + card1.checkpoint(), card2.warmStartedFrom());
    RunRecord record = RunRecord.fromJson(get("models/runs/" + card2.run() + "/run.json"), "run.json");
    assertEquals(RunStatus.PROMOTED, record.status(), record.reason());
    assertTrue(record.challenger().value() > record.champion().value(), record.reason());
  }

  @Test
  void danglingLatestFailsBeforeWritingAnything() {
    put("dangling/LATEST", "v0004-gone\n");
    Map<String, Long> before = registryObjects("dangling");

    Run run = retrain("dangling", "a");

    assertEquals(2, run.status(), run.log());
    assertTrue(run.log().contains("gs://" + BUCKET + "/dangling/LATEST names version v0004-gone"), run.log());
    assertEquals(before, registryObjects("dangling"));
    assertTrue(server.objectNames(BUCKET).stream().noneMatch(n -> n.startsWith("dangling/runs/")));
  }
}
