package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TableReader} over a CSV file with a header row (see {@link CsvRecordReader} for the
 * dialect). Columns are matched by name, so files of one input may order their columns
 * differently; header columns that were not requested are skipped. A record whose cell count
 * differs from the header's is rejected as {@link RejectReason#WRONG_COLUMN_COUNT}; over a {@link
 * Utf8CheckingReader}, a record with bytes that are not UTF-8 as {@link
 * RejectReason#INVALID_ENCODING}.
 */
public final class CsvTableReader implements TableReader {
  private static final char BYTE_ORDER_MARK = '\uFEFF';

  private final String file;
  private final Utf8CheckingReader utf8;
  private final CsvRecordReader records;
  private final List<String> header;
  private final List<String> columns;
  private final int[] targetOfHeaderCell;
  private RejectReason problem;
  private String problemDetail;

  /**
   * Reads the header of {@code file}.
   *
   * @throws BadInputException when the header is malformed, repeats a name, or lacks one of
   *     {@code columns}; the message names the file
   */
  public CsvTableReader(String file, Reader reader, List<String> columns) throws IOException {
    this(file, reader, CsvDialect.STRICT, columns);
  }

  /**
   * Reads the header of {@code file} in {@code dialect}; over a {@link Utf8CheckingReader}, records
   * with invalid UTF-8 are rejected.
   *
   * @param requested the columns to read, or null for every column of the header
   */
  public CsvTableReader(String file, Reader reader, CsvDialect dialect, List<String> requested)
      throws IOException {
    this.file = file;
    this.utf8 = reader instanceof Utf8CheckingReader checking ? checking : null;
    this.records = new CsvRecordReader(reader, dialect);
    this.header = readHeader();
    this.columns = requested == null ? header : List.copyOf(requested);
    Map<String, Integer> headerIndex = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      if (headerIndex.put(header.get(i), i) != null) {
        throw new BadInputException(
            file + ": header names column '" + header.get(i) + "' twice: " + header);
      }
    }
    List<String> lacking = new ArrayList<>();
    targetOfHeaderCell = new int[header.size()];
    Arrays.fill(targetOfHeaderCell, -1);
    for (int target = 0; target < columns.size(); target++) {
      Integer position = headerIndex.get(columns.get(target));
      if (position == null) {
        lacking.add(columns.get(target));
      } else {
        targetOfHeaderCell[position] = target;
      }
    }
    if (!header.isEmpty() && !lacking.isEmpty()) {
      throw new BadInputException(
          file + ": header lacks column(s) " + lacking + " of the schema; header: " + header);
    }
  }

  /** A reader of every column the file's header names, in header order. */
  public static CsvTableReader allColumns(String file, Reader reader) throws IOException {
    return new CsvTableReader(file, reader, CsvDialect.STRICT, null);
  }

  /** The file's column names in file order; empty for an empty file. */
  public List<String> header() {
    return header;
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  private List<String> readHeader() throws IOException {
    if (!records.next()) {
      return List.of();
    }
    long invalidByte = firstInvalidByte();
    if (invalidByte >= 0) {
      throw new BadInputException(
          file + ":" + records.line() + ": the header has bytes that are not valid UTF-8 at byte"
              + " offset " + invalidByte + " (the input must be UTF-8)");
    }
    if (records.error() != null) {
      throw new BadInputException(
          file + ":" + records.line() + ": malformed header: " + records.error());
    }
    List<String> names = new ArrayList<>(records.cells());
    if (!names.isEmpty() && !names.get(0).isEmpty() && names.get(0).charAt(0) == BYTE_ORDER_MARK) {
      names.set(0, names.get(0).substring(1));
    }
    return List.copyOf(names.stream().map(String::trim).toList());
  }

  @Override
  public boolean next() throws IOException {
    if (header.isEmpty() || !records.next()) {
      return false;
    }
    long invalidByte = firstInvalidByte();
    if (invalidByte >= 0) {
      problem = RejectReason.INVALID_ENCODING;
      problemDetail = invalidEncodingDetail(invalidByte);
    } else if (records.error() != null) {
      problem = RejectReason.BAD_QUOTING;
      problemDetail = records.error();
    } else if (records.cells().size() != header.size()) {
      problem = RejectReason.WRONG_COLUMN_COUNT;
      problemDetail =
          records.cells().size() + " cells, but the header has " + header.size() + " columns";
    } else {
      problem = null;
      problemDetail = null;
    }
    return true;
  }

  private long firstInvalidByte() {
    return utf8 == null ? -1 : utf8.firstInvalidByte(records.recordStart(), records.recordEnd());
  }

  /** The detail of an {@link RejectReason#INVALID_ENCODING} rejection; shared with JSON Lines. */
  static String invalidEncodingDetail(long byteOffset) {
    return "bytes that are not valid UTF-8 at byte offset " + byteOffset
        + " of the file (the input must be UTF-8)";
  }

  @Override
  public long line() {
    return records.line();
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
    String[] values = new String[columns.size()];
    List<String> cells = records.cells();
    for (int i = 0; i < targetOfHeaderCell.length; i++) {
      int target = targetOfHeaderCell[i];
      if (target >= 0) {
        String cell = cells.get(i);
        values[target] = cell.isEmpty() ? null : cell;
      }
    }
    return values;
  }

  @Override
  public String rawText() {
    return records.rawText();
  }

  @Override
  public void close() throws IOException {
    records.close();
  }
}
