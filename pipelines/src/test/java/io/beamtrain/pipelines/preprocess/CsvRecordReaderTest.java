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

  static List<Record> readAll(Reader in, CsvDialect dialect) throws IOException {
    List<Record> records = new ArrayList<>();
    try (CsvRecordReader reader = new CsvRecordReader(in, dialect)) {
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
    return readAll(new StringReader(text), CsvDialect.STRICT);
  }

  static List<Record> readAllAllowingQuotedNewlines(String text) throws IOException {
    return readAll(new StringReader(text), CsvDialect.QUOTED_NEWLINES);
  }

  @Test
  void quotedFieldsHoldCommasQuotesAndLineBreaks() throws IOException {
    List<Record> records =
        readAllAllowingQuotedNewlines("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n");
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
    List<Record> records =
        readAllAllowingQuotedNewlines("h1,h2" + eol + "\"a" + eol + "b\",c" + eol + eol + "d,e");
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
  void aQuotedFieldEndsOnItsLineByDefaultSoAStrayQuoteCostsOnlyThatLine() throws IOException {
    List<Record> records = readAll("a,b\n1,2\n3,\"open\n4,5\r\n\"x\r\n6,7\n");
    assertEquals(6, records.size());
    Record bad = records.get(2);
    assertEquals(3, bad.line());
    assertEquals("3,\"open", bad.raw());
    assertTrue(bad.error().contains("opened on line 3 is not closed on that line"), bad.error());
    assertTrue(bad.error().contains("--allowQuotedNewlines"), bad.error());
    assertEquals(new Record(4, List.of("4", "5"), null, "4,5"), records.get(3));
    assertEquals(5, records.get(4).line());
    assertNotNull(records.get(4).error());
    // The record after the CRLF-terminated bad line is read from the next line on.
    assertEquals(new Record(6, List.of("6", "7"), null, "6,7"), records.get(5));
  }

  @Test
  void aQuoteNeverClosedRejectsOnlyItsLineAndTheRestIsReadAgain() throws IOException {
    List<Record> records =
        readAllAllowingQuotedNewlines("a,b\n1,2\n3,\"open\n4,5\r\n6,\"two\nlines\",x\n8,9\n");
    // Line 3's quote pairs with line 5's ("...6,") and 't' follows: malformed. Lines 4 on are
    // read again, where line 5's quote opens a field that line 6 closes.
    assertEquals(
        List.of(
            new Record(1, List.of("a", "b"), null, "a,b"),
            new Record(2, List.of("1", "2"), null, "1,2"),
            new Record(4, List.of("4", "5"), null, "4,5"),
            new Record(5, List.of("6", "two\nlines", "x"), null, "6,\"two\nlines\",x"),
            new Record(7, List.of("8", "9"), null, "8,9")),
        records.stream().filter(r -> r.error() == null).toList());
    Record bad = records.get(2);
    assertEquals(3, bad.line());
    assertEquals("3,\"open", bad.raw());
    assertTrue(bad.error().contains("after the closing quote of field 2"), bad.error());

    List<Record> unclosed = readAllAllowingQuotedNewlines("a,b\n1,2\n3,\"open\n4,5\n6,7");
    assertEquals(5, unclosed.size(), unclosed.toString());
    assertEquals("3,\"open", unclosed.get(2).raw());
    assertTrue(unclosed.get(2).error().contains("opened on line 3 is never closed"));
    assertEquals(new Record(4, List.of("4", "5"), null, "4,5"), unclosed.get(3));
    assertEquals(new Record(5, List.of("6", "7"), null, "6,7"), unclosed.get(4));
  }

  @Test
  void aQuoteNeverClosedOnTheLastLineEndsTheInput() throws IOException {
    List<Record> records = readAllAllowingQuotedNewlines("a,b\n1,\"open");
    assertEquals(2, records.size());
    assertEquals("1,\"open", records.get(1).raw());
    assertNotNull(records.get(1).error());
  }

  @Test
  void recordsKnowTheCharacterOffsetsTheySpanAlsoWhenReadAgain() throws IOException {
    String text = "a,b\n\n1,\"x\n22,33\n";
    List<long[]> spans = new ArrayList<>();
    try (CsvRecordReader reader =
        new CsvRecordReader(new StringReader(text), CsvDialect.QUOTED_NEWLINES)) {
      while (reader.next()) {
        spans.add(new long[] {reader.recordStart(), reader.recordEnd()});
      }
    }
    assertEquals(3, spans.size());
    assertEquals("a,b\n", text.substring((int) spans.get(0)[0], (int) spans.get(0)[1]));
    assertEquals("1,\"x\n", text.substring((int) spans.get(1)[0], (int) spans.get(1)[1]));
    assertEquals("22,33\n", text.substring((int) spans.get(2)[0], (int) spans.get(2)[1]));
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
    List<Record> records = readAllAllowingQuotedNewlines(longCell + ",\"" + quoted + "\"\nz,w\n");
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
    assertEquals(
        readAllAllowingQuotedNewlines(text), readAll(trickle, CsvDialect.QUOTED_NEWLINES));
  }
}
