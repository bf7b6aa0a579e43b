package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.trainer.events.EventFileReader;
import io.beamtrain.trainer.events.HParamsSummaries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report and the HParams experiment of a sweep whose output is on gs:// (the test server). */
class SweepReportGcsTest {
  static GcsTestServer server;
  static StorageConfig config;

  @TempDir Path local;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start().createBucket("sweeps");
    config = server.storageConfig();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** Uploads a locally written fixture under {@code gs://sweeps/<prefix>/}. */
  private void upload(String prefix) throws Exception {
    try (Stream<Path> files = Files.walk(local)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        server.putObject("sweeps", prefix + "/" + local.relativize(file), Files.readAllBytes(file));
      }
    }
  }

  @Test
  void finishedSweepOnGcs() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(local, 12);
    upload("runs/penguins");

    String path = SweepReport.write("gs://sweeps/runs/penguins", config);

    assertEquals("gs://sweeps/runs/penguins/report.html", path);
    String html = new String(server.getObject("sweeps", "runs/penguins/report.html").orElseThrow(), StandardCharsets.UTF_8);
    assertEquals(12, html.split("<tr data-trial=", -1).length - 1);
    assertTrue(html.contains(">" + fixture.best().trial() + "</p>"));
    assertTrue(html.contains("gs://sweeps/runs/penguins/best/saved_model</code>"));
    assertEquals(2, html.split("badge ok\">written", -1).length - 1, "exports found on gs://");
    assertFalse(server.objectNames("sweeps").stream().anyMatch(n -> n.endsWith("/")), "no directory markers");
  }

  @Test
  void runningSweepOnGcsReadsTrialFiles() throws Exception {
    SweepOutputFixture.running(local, 4);
    upload("running");

    SweepReport.write("gs://sweeps/running", config);

    String html = new String(server.getObject("sweeps", "running/report.html").orElseThrow(), StandardCharsets.UTF_8);
    assertTrue(html.contains("from trials/*/result.json (4)"));
    assertTrue(html.contains("<h2>Best so far</h2>"));
  }

  @Test
  void hparamsExperimentOnGcs() throws Exception {
    SweepOutputFixture.finished(local, 2);
    upload("tb");

    String path = StudyHParams.writeExperiment("gs://sweeps/tb", config, Clock.systemUTC());

    assertTrue(path.startsWith("gs://sweeps/tb/events.out.tfevents."), path);
    List<org.tensorflow.proto.Event> events = EventFileReader.readAll(path, config);
    assertEquals(HParamsSummaries.EXPERIMENT_TAG, events.get(1).getSummary().getValue(0).getTag());
  }
}
