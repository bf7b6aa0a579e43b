package io.beamtrain.trainer.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.data.TfRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

class EventFileWriterTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000, 250_000_000), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void writesVersionRecordThenScalarEvents() {
    String path;
    try (EventFileWriter writer = EventFileWriter.open(dir.resolve("trial-1").toString(), CONFIG, CLOCK)) {
      path = writer.path();
      writer.addScalar("loss", 10, 0.5);
      Map<String, Double> eval = new LinkedHashMap<>();
      eval.put("eval_loss", 0.25);
      eval.put("eval_accuracy", 0.875);
      writer.addScalars(20, eval);
    }
    String name = Path.of(path).getFileName().toString();
    assertTrue(name.matches("events\\.out\\.tfevents\\.1700000000\\.[^.].*"), name);

    List<Event> events = EventFileReader.readAll(path, CONFIG);
    assertEquals(3, events.size());
    assertEquals("brain.Event:2", events.get(0).getFileVersion());
    assertEquals(1_700_000_000.25, events.get(0).getWallTime(), 1e-6);

    Event loss = events.get(1);
    assertEquals(10, loss.getStep());
    assertEquals(1_700_000_000.25, loss.getWallTime(), 1e-6);
    Summary.Value value = loss.getSummary().getValue(0);
    assertEquals("loss", value.getTag());
    assertEquals(0.5f, value.getSimpleValue());

    Event evalEvent = events.get(2);
    assertEquals(20, evalEvent.getStep());
    assertEquals(2, evalEvent.getSummary().getValueCount());
    assertEquals(
        Map.of("loss", Map.of(10L, 0.5f), "eval_loss", Map.of(20L, 0.25f), "eval_accuracy", Map.of(20L, 0.875f)),
        EventFileReader.scalars(path, CONFIG));
  }

  @Test
  void flushMakesEventsVisibleAndLaterFlushesAppend() throws Exception {
    try (EventFileWriter writer = EventFileWriter.open(dir.toString(), CONFIG, CLOCK)) {
      Path file = Path.of(writer.path());
      writer.addScalar("loss", 1, 3);
      assertFalse(Files.exists(file), "nothing is written before the first flush");
      writer.flush();
      assertEquals(2, EventFileReader.readAll(writer.path(), CONFIG).size());
      long size = Files.size(file);
      writer.addScalar("loss", 2, 2);
      writer.flush();
      writer.flush();
      assertTrue(Files.size(file) > size);
      assertEquals(3, TfRecords.readAll(writer.path(), CONFIG).size());
    }
  }

  @Test
  void aSecondWriterStartsANewFileAsTensorFlowDoes() {
    String first;
    try (EventFileWriter a = EventFileWriter.open(dir.toString(), CONFIG, CLOCK)) {
      first = a.path();
      a.addScalar("loss", 1, 1);
    }
    try (EventFileWriter b = EventFileWriter.open(dir.toString(), CONFIG, CLOCK)) {
      assertNotEquals(first, b.path());
      assertEquals(first + ".1", b.path());
      b.addScalar("loss", 2, 0.5);
    }
    assertEquals(Map.of(1L, 1f), EventFileReader.scalars(first, CONFIG).get("loss"));
    assertEquals(Map.of(2L, 0.5f), EventFileReader.scalars(first + ".1", CONFIG).get("loss"));
  }

  @Test
  void writingAfterCloseFails() {
    EventFileWriter writer = EventFileWriter.open(dir.toString(), CONFIG, CLOCK);
    writer.close();
    writer.close();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> writer.addScalar("loss", 1, 1));
    assertTrue(e.getMessage().contains(writer.path()));
  }
}
