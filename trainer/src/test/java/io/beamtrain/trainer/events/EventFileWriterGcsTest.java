package io.beamtrain.trainer.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.testing.GcsTestServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Event files on gs://: the object appears at the first flush and grows as a whole. */
class EventFileWriterGcsTest {
  static GcsTestServer server;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start().createBucket("logs");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void flushUploadsTheWholeFileEachTime() {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_123), ZoneOffset.UTC);
    try (EventFileWriter writer =
        EventFileWriter.open("gs://logs/sweep/trials/trial-0003", server.storageConfig(), clock)) {
      assertTrue(writer.path().startsWith("gs://logs/sweep/trials/trial-0003/events.out.tfevents.1700000123."));
      String name = writer.path().substring("gs://logs/".length());
      writer.addScalar("loss", 1, 2.0);
      assertEquals(List.of(), server.objectNames("logs", "sweep/"));
      writer.flush();
      assertEquals(List.of(name), server.objectNames("logs", "sweep/"));
      long firstSize = server.getObject("logs", name).orElseThrow().length;
      writer.addScalar("loss", 2, 1.0);
      writer.flush();
      assertTrue(server.getObject("logs", name).orElseThrow().length > firstSize);
      writer.addScalar("loss", 3, 0.5);
    }
    String path = "gs://logs/" + server.objectNames("logs", "sweep/").get(0);
    assertEquals("brain.Event:2", EventFileReader.readAll(path, server.storageConfig()).get(0).getFileVersion());
    assertEquals(
        Map.of(1L, 2f, 2L, 1f, 3L, 0.5f),
        EventFileReader.scalars(path, server.storageConfig()).get("loss"));
  }

  @Test
  void aResumedWriterAddsASecondObject() {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_456), ZoneOffset.UTC);
    String dir = "gs://logs/resume";
    try (EventFileWriter a = EventFileWriter.open(dir, server.storageConfig(), clock)) {
      a.addScalar("loss", 1, 1);
    }
    try (EventFileWriter b = EventFileWriter.open(dir, server.storageConfig(), clock)) {
      b.addScalar("loss", 2, 1);
    }
    assertEquals(2, server.objectNames("logs", "resume/").size());
  }
}
