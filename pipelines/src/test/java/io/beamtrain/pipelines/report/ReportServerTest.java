package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beamtrain dashboard}: the report served on 127.0.0.1, read again on every request. */
class ReportServerTest {
  @TempDir Path dir;

  private static HttpResponse<String> get(java.net.URI uri) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheCurrentReportOnLoopbackOnly() throws Exception {
    try (ReportServer server = ReportServer.start(dir.toString(), List.of(), null, 0, 5, StorageConfig.defaults())) {
      assertEquals("127.0.0.1", server.uri().getHost());
      HttpResponse<String> empty = get(server.uri());
      assertEquals(503, empty.statusCode(), "no trial yet");
      assertTrue(empty.body().startsWith("--output=" + dir + ": no results.jsonl"), empty.body());

      SweepOutputFixture.running(dir, 3);
      HttpResponse<String> running = get(server.uri());
      assertEquals(200, running.statusCode());
      assertTrue(running.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
      assertTrue(running.body().contains("<li>3 trials</li>"));
      assertTrue(running.body().contains("<meta name=\"beamtrain-refresh\" content=\"5\">"), "the open page follows");

      SweepOutputFixture.finished(dir, 5);
      HttpResponse<String> finished = get(server.uri());
      assertTrue(finished.body().contains("<li>5 trials</li>"));
      assertFalse(finished.body().contains("<meta name=\"beamtrain-refresh\""), "a finished sweep's page stays");
      assertFalse(Files.exists(dir.resolve("report.html")), "serving writes nothing");

      assertEquals(404, get(server.uri().resolve("/etc/passwd")).statusCode());
    }
  }
}
