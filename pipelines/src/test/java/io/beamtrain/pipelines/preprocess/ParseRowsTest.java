package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ParseRowsTest {
  public static final DataSchema SCHEMA =
      new DataSchema(
          "label",
          null,
          List.of(
              new DataSchema.Column("name", FeatureType.CATEGORICAL),
              new DataSchema.Column("score", FeatureType.NUMERIC),
              new DataSchema.Column("city", FeatureType.CATEGORICAL),
              new DataSchema.Column("label", FeatureType.CATEGORICAL)));

  @TempDir Path tmp;

  Path resource(String name) throws IOException {
    Path target = tmp.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/preprocess/" + name)) {
      Files.copy(in, target);
    }
    return target;
  }

  static PCollectionTuple parse(Pipeline p, String pattern, DataSchema schema) {
    return p.apply(Create.of(pattern)).apply(ParseRows.of(schema));
  }

  /** Rejections keyed by line, as "REASON" strings. */
  static Map<Long, String> reasonsByLine(Iterable<RejectedRow> rows) {
    Map<Long, String> byLine = new TreeMap<>();
    for (RejectedRow row : rows) {
      byLine.put(row.line(), row.reason().name());
    }
    return byLine;
  }

  @Test
  void csvEdgeCasesParseOrLeaveThroughTheDeadLetterWithLineAndReason() throws IOException {
    String csv = resource("messy.csv").toString();
    Pipeline p = DirectPipelines.create();
    PCollectionTuple parsed =
        p.apply(Create.of(csv))
            .apply(ParseRows.of(SCHEMA).withCsvDialect(CsvDialect.QUOTED_NEWLINES));
    PAssert.that(parsed.get(ParseRows.ROWS))
        .containsInAnyOrder(
            ParsedRow.of("Smith, John", "1.5", "New\nYork", "yes"),
            ParsedRow.of("plain", "2", "Boston", "no"),
            ParsedRow.of("say \"hi\"", "3e2", null, "yes"),
            ParsedRow.of("after", "7", "Lima", "no"));
    PAssert.that(parsed.get(ParseRows.REJECTED))
        .satisfies(
            rows -> {
              assertEquals(
                  Map.of(
                      6L, "WRONG_COLUMN_COUNT",
                      7L, "WRONG_COLUMN_COUNT",
                      8L, "UNPARSABLE_NUMBER",
                      9L, "MISSING_LABEL",
                      10L, "BAD_QUOTING",
                      11L, "BAD_QUOTING"),
                  reasonsByLine(rows));
              for (RejectedRow row : rows) {
                assertEquals(csv, row.file());
              }
              RejectedRow badNumber = find(rows, 8);
              assertEquals("column 'score' is NUMERIC but holds 'abc'", badNumber.detail());
              assertEquals("badnum,abc,Paris,no", badNumber.raw());
              assertEquals("3 cells, but the header has 4 columns", find(rows, 6).detail());
              assertEquals("the label column 'label' is empty", find(rows, 9).detail());
              return null;
            });
    p.run().waitUntilFinish();
  }

  /** name,score,city,label and 20 rows; row {@code bad} (1-based) is {@code badRow} instead. */
  static String twentyRows(int bad, String badRow) {
    StringBuilder csv = new StringBuilder("name,score,city,label\n");
    for (int i = 1; i <= 20; i++) {
      csv.append(i == bad ? badRow : "n" + i + "," + i + ",c" + i + ",yes").append('\n');
    }
    return csv.toString();
  }

  @Test
  void anUnterminatedQuoteCostsOnlyItsOwnLineInEitherDialect() throws IOException {
    Path csv = tmp.resolve("quote.csv");
    Files.writeString(csv, twentyRows(6, "Adelie,\"Torgersen,39.1,yes"));
    for (CsvDialect dialect : List.of(CsvDialect.STRICT, CsvDialect.QUOTED_NEWLINES)) {
      Pipeline p = DirectPipelines.create();
      PCollectionTuple parsed =
          p.apply(Create.of(csv.toString())).apply(ParseRows.of(SCHEMA).withCsvDialect(dialect));
      PAssert.that(parsed.get(ParseRows.ROWS))
          .satisfies(
              rows -> {
                assertEquals(19, StreamSupport.stream(rows.spliterator(), false).count(), dialect
                    .toString());
                return null;
              });
      PAssert.that(parsed.get(ParseRows.REJECTED))
          .satisfies(
              rows -> {
                assertEquals(Map.of(7L, "BAD_QUOTING"), reasonsByLine(rows), dialect.toString());
                assertEquals("Adelie,\"Torgersen,39.1,yes", find(rows, 7).raw());
                return null;
              });
      p.run().waitUntilFinish();
    }
  }

  @Test
  void bytesThatAreNotUtf8RejectTheirRowWithTheByteOffset() throws IOException {
    byte[] good = twentyRows(0, "").getBytes(StandardCharsets.UTF_8);
    String header = "name,score,city,label\n";
    // Row 3 (line 4) is "n3,3,c3,yes"; make its city "c\xff3" and "n3" a lone lead byte.
    int row3 = header.length() + "n1,1,c1,yes\n".length() + "n2,2,c2,yes\n".length();
    byte[] bad = new byte[good.length];
    System.arraycopy(good, 0, bad, 0, good.length);
    int city = row3 + "n3,3,c".length();
    bad[city] = (byte) 0xFF;
    Path csv = tmp.resolve("latin.csv");
    Files.write(csv, bad);
    Path jsonl = tmp.resolve("latin.jsonl");
    byte[] line1 = "{\"name\": \"ok\", \"score\": 1, \"label\": \"yes\"}\r\n".getBytes(
        StandardCharsets.UTF_8);
    byte[] line2 = "{\"name\": \"caf\u00e9\", \"score\": 2, \"label\": \"no\"}\n".getBytes(
        StandardCharsets.ISO_8859_1);
    byte[] line3 = "{\"name\": \"\u00e9t\u00e9\", \"score\": 3, \"label\": \"yes\"}".getBytes(
        StandardCharsets.UTF_8);
    Files.write(jsonl, concat(line1, line2, line3));

    Pipeline p = DirectPipelines.create();
    PCollectionTuple fromCsv = parse(p, csv.toString(), SCHEMA);
    PCollectionTuple fromJsonl = parse(p, jsonl.toString(), SCHEMA);
    PAssert.that(fromCsv.get(ParseRows.ROWS))
        .satisfies(rows -> {
          assertEquals(19, StreamSupport.stream(rows.spliterator(), false).count());
          return null;
        });
    PAssert.that(fromCsv.get(ParseRows.REJECTED))
        .satisfies(rows -> {
          assertEquals(Map.of(4L, "INVALID_ENCODING"), reasonsByLine(rows));
          assertTrue(find(rows, 4).detail().contains("at byte offset " + city), find(rows, 4)
              .detail());
          return null;
        });
    PAssert.that(fromJsonl.get(ParseRows.ROWS))
        .containsInAnyOrder(
            ParsedRow.of("ok", "1", null, "yes"), ParsedRow.of("\u00e9t\u00e9", "3", null, "yes"));
    PAssert.that(fromJsonl.get(ParseRows.REJECTED))
        .satisfies(rows -> {
          assertEquals(Map.of(2L, "INVALID_ENCODING"), reasonsByLine(rows));
          int offset = line1.length + "{\"name\": \"caf".length();
          assertTrue(find(rows, 2).detail().contains("at byte offset " + offset),
              find(rows, 2).detail());
          return null;
        });
    p.run().waitUntilFinish();
  }

  @Test
  void numbersBeyondTheFloatRangeAreRejectedSayingSo() throws IOException {
    Path csv = tmp.resolve("huge.csv");
    Files.writeString(csv, "name,score,city,label\na,1e39,x,yes\nb,2,y,no\n");
    Pipeline p = DirectPipelines.create();
    PCollectionTuple parsed = parse(p, csv.toString(), SCHEMA);
    PAssert.that(parsed.get(ParseRows.ROWS)).containsInAnyOrder(ParsedRow.of("b", "2", "y", "no"));
    PAssert.that(parsed.get(ParseRows.REJECTED))
        .satisfies(rows -> {
          assertEquals(
              "column 'score' is NUMERIC but holds '1e39', beyond the 32-bit float range (about"
                  + " 3.4e38)",
              find(rows, 2).detail());
          return null;
        });
    p.run().waitUntilFinish();
  }

  static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void jsonLinesFieldsMatchByNameAndBadLinesAreRejected() throws IOException {
    Path jsonl = resource("messy.jsonl");
    Pipeline p = DirectPipelines.create();
    PCollectionTuple parsed = parse(p, jsonl.toString(), SCHEMA);
    PAssert.that(parsed.get(ParseRows.ROWS))
        .containsInAnyOrder(
            ParsedRow.of("a", "1.5", "Oslo", "yes"),
            ParsedRow.of("b", null, null, "no"),
            ParsedRow.of("c", "2e3", "Rome", "yes"),
            ParsedRow.of("i", "8", "Lima", "true"));
    PAssert.that(parsed.get(ParseRows.REJECTED))
        .satisfies(
            rows -> {
              assertEquals(
                  Map.of(
                      4L, "INVALID_JSON",
                      6L, "INVALID_JSON",
                      7L, "INVALID_JSON",
                      8L, "UNPARSABLE_NUMBER",
                      9L, "MISSING_LABEL",
                      10L, "INVALID_JSON"),
                  reasonsByLine(rows));
              assertTrue(find(rows, 6).detail().contains("field 'city' holds a JSON object"));
              assertEquals("not a JSON object", find(rows, 4).detail());
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void aGlobReadsEveryMatchingFileWhateverItsColumnOrder() throws IOException {
    Files.writeString(tmp.resolve("part-1.csv"), "name,score,city,label\nx,1,A,yes\ny,2,B,no\n");
    Files.writeString(
        tmp.resolve("part-2.csv"), "label,city,unused,score,name\nno,C,zzz,3,z\nyes,D,zzz,,w\n");
    Files.writeString(tmp.resolve("other.txt"), "not matched");
    Pipeline p = DirectPipelines.create();
    PCollectionTuple parsed = parse(p, tmp.resolve("part-*.csv").toString(), SCHEMA);
    PAssert.that(parsed.get(ParseRows.ROWS))
        .containsInAnyOrder(
            ParsedRow.of("x", "1", "A", "yes"),
            ParsedRow.of("y", "2", "B", "no"),
            ParsedRow.of("z", "3", "C", "no"),
            ParsedRow.of("w", null, "D", "yes"));
    PAssert.that(parsed.get(ParseRows.REJECTED)).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void aHeaderWithoutASchemaColumnFailsNamingTheFile() throws IOException {
    Path csv = tmp.resolve("lacking.csv");
    Files.writeString(csv, "name,score,label\nx,1,yes\n");
    Pipeline p = DirectPipelines.create();
    parse(p, csv.toString(), SCHEMA);
    RuntimeException e = assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    String message = rootMessage(e);
    assertTrue(message.contains("lacking.csv"), message);
    assertTrue(message.contains("lacks column(s) [city]"), message);
  }

  @Test
  void aPatternMatchingNothingFails() {
    Pipeline p = DirectPipelines.create();
    parse(p, tmp.resolve("nothing-*.csv").toString(), SCHEMA);
    RuntimeException e = assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    assertTrue(rootMessage(e).contains("nothing-*.csv"), rootMessage(e));
  }

  @Test
  void gzipInputIsDecompressedBySuffix() throws IOException {
    Path gz = tmp.resolve("rows.csv.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write("name,score,city,label\nx,1,A,yes\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Pipeline p = DirectPipelines.create();
    PAssert.that(parse(p, gz.toString(), SCHEMA).get(ParseRows.ROWS))
        .containsInAnyOrder(ParsedRow.of("x", "1", "A", "yes"));
    p.run().waitUntilFinish();
  }

  static RejectedRow find(Iterable<RejectedRow> rows, long line) {
    return StreamSupport.stream(rows.spliterator(), false)
        .filter(r -> r.line() == line)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no rejection on line " + line));
  }

  static String rootMessage(Throwable e) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" | ");
    }
    return messages.toString();
  }
}
