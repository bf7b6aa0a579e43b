package io.beamtrain.pipelines.preprocess;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams the records of an RFC 4180 CSV text: comma separated, fields optionally enclosed in
 * double quotes, a quote inside a quoted field doubled ({@code ""}), records end at CRLF, LF or
 * CR. Blank lines are skipped, as pandas' {@code read_csv} does. Whether a quoted field may span
 * lines is the {@link CsvDialect}'s choice (by default it may not).
 *
 * <p>Unlike a general CSV library (Apache Commons CSV stops at the first malformed record: its
 * iterator cannot be resumed after an exception), this reader reports a malformed record and
 * carries on with the next one, which is what a dead-letter output needs. A record is malformed
 * when a quote appears inside an unquoted field, when anything but a comma or a line break follows
 * a closing quote, or when a quoted field is not closed: on its line ({@link CsvDialect#STRICT}) or
 * at all. After a malformed record, reading resumes at the next physical line. A quote never closed
 * would otherwise swallow the rest of the input into one rejected record (what most CSV readers
 * do); here it costs only the lines up to the one it opened on: the text read past that line is
 * read again as records of its own.
 *
 * <p>Every record knows the 1-based physical line it starts on, its raw text and the character
 * offsets it spans, so rejected rows can be reported precisely. Not thread-safe; one reader per
 * input.
 */
public final class CsvRecordReader implements Closeable {
  private static final int EOF = -1;
  private static final int BUFFER_CHARS = 1 << 16;

  private final Reader in;
  private final boolean allowQuotedNewlines;
  private char[] buffer = new char[BUFFER_CHARS];
  private int position;
  private int limit;
  /** Offset in the input of {@code buffer[0]}. */
  private long bufferOffset;
  private long recordStart;
  private long recordEnd;

  private long nextLine = 1;
  private long recordLine;
  private final List<String> cells = new ArrayList<>();
  private final StringBuilder cell = new StringBuilder();
  private final StringBuilder raw = new StringBuilder();
  private String error;
  /**
   * Where the first quoted field of the current record that crossed a line break opened: its
   * {@code raw} index and line; -1 while none has.
   */
  private int crossingQuoteAt;
  private long crossingQuoteLine;

  /** A reader of the {@link CsvDialect#STRICT} dialect. */
  public CsvRecordReader(Reader in) {
    this(in, CsvDialect.STRICT);
  }

  public CsvRecordReader(Reader in, CsvDialect dialect) {
    this.in = in;
    this.allowQuotedNewlines = dialect.allowQuotedNewlines();
  }

  /**
   * Advances to the next record. Returns false at the end of the input. When it returns true,
   * either {@link #error()} is null and {@link #cells()} holds the record, or {@link #error()} says
   * why the record is malformed.
   */
  public boolean next() throws IOException {
    recordEnd = -1;
    crossingQuoteAt = -1;
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
    recordStart = bufferOffset + position - 1;
    readRecord(c);
    if (recordEnd < recordStart) {
      recordEnd = bufferOffset + position;
    }
    return true;
  }

  /** The offset (in characters from the start of the input) of the current record's first one. */
  public long recordStart() {
    return recordStart;
  }

  /** The offset just past the current record, its line terminator included. */
  public long recordEnd() {
    return recordEnd;
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
        int openedAt = raw.length() - 1;
        if (!readQuotedField(openedOn)) {
          return;
        }
        if (crossingQuoteAt < 0 && nextLine > openedOn) {
          crossingQuoteAt = openedAt;
          crossingQuoteLine = openedOn;
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

  /**
   * Reads a quoted field after its opening quote; false when the field is not closed where it
   * must be, {@link #error()} then says why.
   */
  private boolean readQuotedField(long openedOn) throws IOException {
    int openedAt = raw.length() - 1;
    while (true) {
      int c = read();
      if (c == EOF) {
        error =
            "quoted field "
                + (cells.size() + 1)
                + " opened on line "
                + openedOn
                + " is never closed";
        if (crossingQuoteAt < 0) {
          crossingQuoteAt = openedAt;
          crossingQuoteLine = openedOn;
        }
        rereadAfterCrossingQuoteLine(EOF);
        return false;
      }
      if (!allowQuotedNewlines && (c == '\n' || c == '\r')) {
        error =
            "quoted field "
                + (cells.size() + 1)
                + " opened on line "
                + openedOn
                + " is not closed on that line (a quoted field spans lines only with"
                + " --allowQuotedNewlines)";
        endLine(c);
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

  /**
   * In a malformed record that a quoted field stretched over more than one line (a stray quote
   * that paired with a quote lines later, or was never closed): cuts the record after the line
   * that quote opened on, and makes the rest of what was read, then {@code pending} (a character
   * read but not kept, or EOF), the input again, so the following lines are records of their own.
   * Returns false, doing nothing, when no quoted field of the record crossed a line.
   */
  private boolean rereadAfterCrossingQuoteLine(int pending) {
    if (crossingQuoteAt < 0) {
      return false;
    }
    int cut = crossingQuoteAt;
    while (cut < raw.length() && raw.charAt(cut) != '\n' && raw.charAt(cut) != '\r') {
      cut++;
    }
    int resume = cut;
    if (resume < raw.length()) {
      resume += raw.charAt(resume) == '\r' && resume + 1 < raw.length()
          && raw.charAt(resume + 1) == '\n' ? 2 : 1;
    }
    int kept = raw.length() - resume;
    int unread = limit - position;
    int rest = kept + (pending == EOF ? 0 : 1) + unread;
    char[] again = new char[Math.max(BUFFER_CHARS, rest)];
    raw.getChars(resume, raw.length(), again, 0);
    if (pending != EOF) {
      again[kept] = (char) pending;
    }
    System.arraycopy(buffer, position, again, rest - unread, unread);
    buffer = again;
    position = 0;
    limit = rest;
    bufferOffset = recordStart + resume;
    recordEnd = bufferOffset;
    raw.setLength(cut);
    nextLine = crossingQuoteLine + 1;
    return true;
  }

  /**
   * Records a malformed record and skips the rest of its physical line, or, when a quoted field
   * of it crossed a line, everything after that field's first line is read again.
   */
  private void fail(int offending, String message) throws IOException {
    error = message;
    if (rereadAfterCrossingQuoteLine(offending)) {
      return;
    }
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
    bufferOffset += limit;
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
