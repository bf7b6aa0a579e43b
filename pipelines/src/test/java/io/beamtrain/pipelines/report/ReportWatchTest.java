package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report --watch}: rewrites a reloading page while the sweep runs, a final one when it ends. */
class ReportWatchTest {
  @TempDir Path dir;

  @Test
  void rewritesUntilResultsJsonlThenWritesAPageThatStopsReloading() throws Exception {
    SweepOutputFixture.running(dir, 3);
    Path report = dir.resolve("report.html");
    List<String> pages = new ArrayList<>();
    List<Duration> sleeps = new ArrayList<>();
    List<String> progress = new ArrayList<>();
    ReportWatch watch =
        new ReportWatch(dir.toString(), List.of(), null, Duration.ofSeconds(7), StorageConfig.defaults(), Clock.systemUTC());

    String path = watch.run(
        interval -> {
          sleeps.add(interval);
          try {
            pages.add(Files.readString(report, StandardCharsets.UTF_8));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          if (sleeps.size() == 1) {
            SweepOutputFixture.running(dir, 5); // two more trials start
          } else {
            SweepOutputFixture.finished(dir, 5); // the sweep writes results.jsonl
          }
        },
        progress::add);

    assertEquals(report.toString(), path);
    assertEquals(List.of(Duration.ofSeconds(7), Duration.ofSeconds(7)), sleeps);
    assertTrue(pages.get(0).contains("<meta name=\"beamtrain-refresh\" content=\"7\">"));
    assertTrue(pages.get(0).contains("3 trials"));
    assertTrue(pages.get(1).contains("5 trials"));
    String last = Files.readString(report, StandardCharsets.UTF_8);
    assertFalse(last.contains("<meta name=\"beamtrain-refresh\""), "the finished sweep's page does not reload");
    assertEquals(List.of(
        "report: " + report + " (3 trials, running)",
        "report: " + report + " (5 trials, running)",
        "report: " + report + " (5 trials, finished)"), progress);
  }

  @Test
  void refusesAnIntervalUnderASecond() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReportWatch(
        dir.toString(), List.of(), null, Duration.ZERO, StorageConfig.defaults(), Clock.systemUTC()));
    assertEquals("--watchSeconds=0: must be at least 1", e.getMessage());
  }
}
