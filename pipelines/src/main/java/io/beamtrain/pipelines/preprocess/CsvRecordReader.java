package io.beamtrain.pipelines.preprocess;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams the records of an RFC 4180 CSV text: comma separated, fields optionally enclosed in
 * double quotes, a quote inside a quoted field doubled ({@code ""}), quoted fields may span lines,
 * records end at CRLF, LF or CR. Blank lines are skipped, as pandas' {@code read_csv} does.
 *
 * <p>Unlike a general CSV library (Apache Commons CSV stops at the first malformed record: its
 * iterator cannot be resumed after an exception), this reader reports a malformed record and
 * carries on with the next one, which is what a dead-letter output needs. A record is malformed
 * when a quote appears inside an unquoted field, when anything but a comma or a line break follows
 * a closing quote, or when a quoted field is still open at the end of the input. After a malformed
 * record, reading resumes at the next physical line, because the quoting state is unknown from
 * there on; an unclosed quote swallows the rest of the input, as in every CSV reader.
 *
 * <p>Every record knows the 1-based physical line it starts on, and its raw text, so rejected rows
 * can be reported precisely. Not thread-safe; one reader per input.
 */
public final class CsvRecordReader implements Closeable {
  private static final int EOF = -1;
  private static final int BUFFER_CHARS = 1 << 16;

  private final Reader in;
  private final char[] buffer = new char[BUFFER_CHARS];
  private int position;
  private int limit;

  private long nextLine = 1;
  private long recordLine;
  private final List<String> cells = new ArrayList<>();
  private final StringBuilder cell = new StringBuilder();
  private final StringBuilder raw = new StringBuilder();
  private String error;

  public CsvRecordReader(Reader in) {
    this.in = in;
  }

  /**
   * Advances to the next record. Returns false at the end of the input. When it returns true,
   * either {@link #error()} is null and {@link #cells()} holds the record, or {@link #error()} says
   * why the record is malformed.
   */
  public boolean next() throws IOException {
    cells.clear();
    cell.setLength(0);
    raw.setLength(0);
    error = null;
    int c = read();
    while (c == '\n' || c == '\r') {
      endLine(c);
      c = read();
    }
    if (c == EOF) {
      return false;
    }
    recordLine = nextLine;
    readRecord(c);
    return true;
  }

  /** The 1-based physical line on which the current record starts. */
  public long line() {
    return recordLine;
  }

  /** Why the current record is malformed, or null when it is well-formed. */
  public String error() {
    return error;
  }

  /** The cells of the current well-formed record; valid until the next call to {@link #next()}. */
  public List<String> cells() {
    return cells;
  }

  /** The current record's text as it appears in the input, without its line terminator. */
  public String rawText() {
    return raw.toString();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void readRecord(int first) throws IOException {
    int c = first;
    while (true) {
      // One field per iteration; c is its first character.
      if (c == '"') {
        raw.append('"');
        long openedOn = nextLine;
        if (!readQuotedField(openedOn)) {
          return;
        }
        c = read();
        if (c != ',' && !isRecordEnd(c)) {
          fail(
              c,
              "unexpected character '"
                  + (char) c
                  + "' after the closing quote of field "
                  + (cells.size() + 1)
                  + " (a field that contains quotes must be enclosed in quotes, with inner quotes"
                  + " doubled)");
          return;
        }
      } else {
        c = readUnquotedField(c);
        if (c == '"') {
          fail(
              c,
              "quote character inside unquoted field "
                  + (cells.size() + 1)
                  + " (enclose the field in quotes and double the inner quotes)");
          return;
        }
      }
      cells.add(cell.toString());
      cell.setLength(0);
      if (c == ',') {
        raw.append(',');
        c = read();
        continue;
      }
      if (c != EOF) {
        endLine(c);
      }
      return;
    }
  }

  /**
   * Reads unquoted text up to a comma, line break, quote or the end; returns that stopping
   * character (not consumed into the cell). Scans the buffer in bulk: this is the hot path.
   */
  private int readUnquotedField(int first) throws IOException {
    if (first == ',' || isRecordEnd(first) || first == '"') {
      return first;
    }
    cell.append((char) first);
    raw.append((char) first);
    while (true) {
      if (position >= limit && !fill()) {
        return EOF;
      }
      int start = position;
      while (position < limit) {
        char ch = buffer[position];
        if (ch == ',' || ch == '\n' || ch == '\r' || ch == '"') {
          cell.append(buffer, start, position - start);
          raw.append(buffer, start, position - start);
          position++;
          return ch;
        }
        position++;
      }
      cell.append(buffer, start, position - start);
      raw.append(buffer, start, position - start);
    }
  }

  /** Reads a quoted field after its opening quote; false when the input ends inside it. */
  private boolean readQuotedField(long openedOn) throws IOException {
    while (true) {
      int c = read();
      if (c == EOF) {
        error =
            "quoted field "
                + (cells.size() + 1)
                + " opened on line "
                + openedOn
                + " is never closed (the rest of the input was read as part of it)";
        return false;
      }
      raw.append((char) c);
      if (c == '"') {
        int after = peek();
        if (after == '"') {
          read();
          raw.append('"');
          cell.append('"');
          continue;
        }
        return true;
      }
      if (c == '\n' || (c == '\r' && peek() != '\n')) {
        nextLine++;
      }
      cell.append((char) c);
    }
  }

  /** Records a malformed record and skips the rest of its physical line. */
  private void fail(int offending, String message) throws IOException {
    error = message;
    int c = offending;
    while (!isRecordEnd(c)) {
      raw.append((char) c);
      c = read();
    }
    if (c != EOF) {
      endLine(c);
    }
  }

  /** Consumes a line terminator whose first character {@code c} was just read. */
  private void endLine(int c) throws IOException {
    if (c == '\r' && peek() == '\n') {
      read();
    }
    nextLine++;
  }

  private static boolean isRecordEnd(int c) {
    return c == '\n' || c == '\r' || c == EOF;
  }

  private int read() throws IOException {
    if (position >= limit && !fill()) {
      return EOF;
    }
    return buffer[position++];
  }

  private int peek() throws IOException {
    if (position >= limit && !fill()) {
      return EOF;
    }
    return buffer[position];
  }

  private boolean fill() throws IOException {
    int n;
    do {
      n = in.read(buffer, 0, buffer.length);
    } while (n == 0);
    if (n < 0) {
      limit = 0;
      position = 0;
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
