package io.beamtrain.pipelines.preprocess;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TableReader} over JSON Lines: one JSON object per line, blank lines skipped. Fields are
 * matched to columns by name; a field that is absent or {@code null} is a missing cell, fields that
 * were not requested are skipped. Values are taken as their JSON text: strings unquoted, numbers
 * exactly as written (so {@code 39.10} stays {@code "39.10"}), booleans as {@code true}/{@code
 * false}. A line that is not one JSON object of scalar values is rejected as {@link
 * RejectReason#INVALID_JSON}; over a {@link Utf8CheckingReader}, a line with bytes that are not
 * UTF-8 as {@link RejectReason#INVALID_ENCODING}. Lines end at LF, CRLF or CR.
 *
 * <p>Streams each line with Jackson's parser rather than building a tree: the hot path allocates
 * only the cell strings.
 */
public final class JsonLinesTableReader implements TableReader {
  private static final JsonFactory JSON = new JsonFactory();

  private final Reader in;
  private final Utf8CheckingReader utf8;
  private final char[] buffer = new char[1 << 16];
  private int position;
  private int limit;
  /** Offset in the input of {@code buffer[0]}. */
  private long bufferOffset;
  private long lineStart;
  private final StringBuilder line = new StringBuilder();
  private final List<String> columns;
  private final Map<String, Integer> columnIndex = new HashMap<>();
  private final boolean discoverColumns;
  private long lineNumber;
  private long recordLine;
  private String text;
  private List<String> cells = new ArrayList<>();
  private RejectReason problem;
  private String problemDetail;

  /** A reader of the named columns. */
  public JsonLinesTableReader(Reader reader, List<String> columns) {
    this(reader, columns, false);
  }

  /**
   * A reader that adds every field name it meets to {@link #columns()}, in first-seen order; for
   * schema inference, where the columns are not known yet.
   */
  public static JsonLinesTableReader discoveringColumns(Reader reader) {
    return new JsonLinesTableReader(reader, List.of(), true);
  }

  private JsonLinesTableReader(Reader reader, List<String> columns, boolean discoverColumns) {
    this.in = reader;
    this.utf8 = reader instanceof Utf8CheckingReader checking ? checking : null;
    this.columns = new ArrayList<>(columns);
    for (int i = 0; i < columns.size(); i++) {
      columnIndex.put(columns.get(i), i);
    }
    this.discoverColumns = discoverColumns;
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public boolean next() throws IOException {
    do {
      text = readLine();
      lineNumber++;
      if (text == null) {
        return false;
      }
    } while (text.isBlank());
    recordLine = lineNumber;
    long invalidByte =
        utf8 == null ? -1 : utf8.firstInvalidByte(lineStart, bufferOffset + position);
    if (invalidByte >= 0) {
      cells = new ArrayList<>();
      problem = RejectReason.INVALID_ENCODING;
      problemDetail = CsvTableReader.invalidEncodingDetail(invalidByte);
      return true;
    }
    parse();
    return true;
  }

  /** The next line without its terminator, or null at the end of the input. */
  private String readLine() throws IOException {
    line.setLength(0);
    lineStart = bufferOffset + position;
    while (true) {
      if (position >= limit && !fill()) {
        return line.isEmpty() && bufferOffset + position == lineStart ? null : line.toString();
      }
      int start = position;
      while (position < limit) {
        char c = buffer[position];
        if (c == '\n' || c == '\r') {
          line.append(buffer, start, position - start);
          position++;
          if (c == '\r' && (position < limit || fill()) && buffer[position] == '\n') {
            position++;
          }
          return line.toString();
        }
        position++;
      }
      line.append(buffer, start, position - start);
    }
  }

  private boolean fill() throws IOException {
    int n;
    do {
      n = in.read(buffer, 0, buffer.length);
    } while (n == 0);
    bufferOffset += limit;
    position = 0;
    limit = Math.max(n, 0);
    return n > 0;
  }

  private void parse() throws IOException {
    problem = null;
    problemDetail = null;
    cells = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      cells.add(null);
    }
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        reject("not a JSON object");
        return;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        Integer index = columnIndex.get(name);
        if (index == null && discoverColumns) {
          index = columns.size();
          columns.add(name);
          columnIndex.put(name, index);
          cells.add(null);
        }
        if (index == null) {
          parser.skipChildren();
          continue;
        }
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          reject("field '" + name + "' holds a JSON " + (value == JsonToken.START_OBJECT
              ? "object" : "array") + "; only strings, numbers and booleans are supported");
          return;
        }
        String cell = value == JsonToken.VALUE_NULL ? null : parser.getText();
        cells.set(index, cell == null || cell.isEmpty() ? null : cell);
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        reject("more than one JSON value on the line");
      }
    } catch (JsonProcessingException e) {
      reject("invalid JSON: " + e.getOriginalMessage());
    }
  }

  private void reject(String detail) {
    problem = RejectReason.INVALID_JSON;
    problemDetail = detail;
  }

  @Override
  public long line() {
    return recordLine;
  }

  @Override
  public RejectReason problem() {
    return problem;
  }

  @Override
  public String problemDetail() {
    return problemDetail;
  }

  @Override
  public String[] takeValues() {
    return cells.toArray(new String[0]);
  }

  @Override
  public String rawText() {
    return text;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
