package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvRecordReaderTest {

  /** One record as the reader saw it. */
  record Record(long line, List<String> cells, String error, String raw) {}

  static List<Record> readAll(Reader in) throws IOException {
    List<Record> records = new ArrayList<>();
    try (CsvRecordReader reader = new CsvRecordReader(in)) {
      while (reader.next()) {
        records.add(
            new Record(
                reader.line(),
                reader.error() == null ? List.copyOf(reader.cells()) : null,
                reader.error(),
                reader.rawText()));
      }
    }
    return records;
  }

  static List<Record> readAll(String text) throws IOException {
    return readAll(new StringReader(text));
  }

  @Test
  void quotedFieldsHoldCommasQuotesAndLineBreaks() throws IOException {
    List<Record> records =
        readAll("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n");
    assertEquals(3, records.size());
    assertEquals(List.of("a", "b", "c"), records.get(0).cells());
    assertEquals(List.of("x, y", "say \"hi\"", "two\nlines"), records.get(1).cells());
    assertEquals(2, records.get(1).line());
    assertEquals("\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"", records.get(1).raw());
    // The record after a two-line field starts on line 4, and a trailing comma is an empty cell.
    assertEquals(4, records.get(2).line());
    assertEquals(List.of("last", "", ""), records.get(2).cells());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void everyLineTerminatorEndsARecordAndCountsOneLine(String eol) throws IOException {
    List<Record> records = readAll("h1,h2" + eol + "\"a" + eol + "b\",c" + eol + eol + "d,e");
    assertEquals(3, records.size());
    assertEquals(List.of("a" + eol + "b", "c"), records.get(1).cells());
    assertEquals(2, records.get(1).line());
    assertEquals(List.of("d", "e"), records.get(2).cells());
    assertEquals(5, records.get(2).line(), "blank line 4 is skipped but counted");
  }

  @Test
  void strayQuoteInUnquotedFieldIsRejectedAndReadingResumesOnTheNextLine() throws IOException {
    List<Record> records = readAll("a,b\nx\"y,1\nok,2\n");
    assertEquals(3, records.size());
    Record bad = records.get(1);
    assertNotNull(bad.error());
    assertTrue(bad.error().contains("field 1"), bad.error());
    assertEquals("x\"y,1", bad.raw());
    assertEquals(2, bad.line());
    assertEquals(List.of("ok", "2"), records.get(2).cells());
    assertEquals(3, records.get(2).line());
  }

  @Test
  void textAfterAClosingQuoteIsRejected() throws IOException {
    List<Record> records = readAll("a,b\n1,\"x\"junk\n2,ok\n");
    assertNotNull(records.get(1).error());
    assertTrue(records.get(1).error().contains("after the closing quote of field 2"));
    assertEquals("1,\"x\"junk", records.get(1).raw());
    assertNull(records.get(2).error());
    assertEquals(List.of("2", "ok"), records.get(2).cells());
  }

  @Test
  void unclosedQuoteSwallowsTheRestAndNamesWhereItOpened() throws IOException {
    List<Record> records = readAll("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
    assertEquals(3, records.size());
    Record bad = records.get(2);
    assertEquals(3, bad.line());
    assertTrue(bad.error().contains("opened on line 3 is never closed"), bad.error());
  }

  @Test
  void emptyInputHasNoRecords() throws IOException {
    assertTrue(readAll("").isEmpty());
    assertTrue(readAll("\n\r\n").isEmpty());
  }

  @Test
  void recordsLongerThanTheReadBufferAreReadWhole() throws IOException {
    String longCell = "x".repeat(200_000);
    String quoted = "q\"\"".repeat(50_000);
    List<Record> records = readAll(longCell + ",\"" + quoted + "\"\nz,w\n");
    assertEquals(longCell, records.get(0).cells().get(0));
    assertEquals("q\"".repeat(50_000), records.get(0).cells().get(1));
    assertEquals(List.of("z", "w"), records.get(1).cells());
    assertEquals(2, records.get(1).line());
  }

  @Test
  void readsFromAReaderThatReturnsFewCharsAtATime() throws IOException {
    String text = "a,b\n\"1\n2\",\"x\"\"y\"\r\n3,4";
    Reader trickle =
        new StringReader(text) {
          @Override
          public int read(char[] buffer, int offset, int length) throws IOException {
            return super.read(buffer, offset, Math.min(length, 1));
          }
        };
    assertEquals(readAll(text), readAll(trickle));
  }
}
