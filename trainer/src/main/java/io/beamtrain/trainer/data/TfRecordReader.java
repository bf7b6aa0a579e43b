package io.beamtrain.trainer.data;

import io.beamtrain.trainer.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads TFRecord framing from a stream (see {@link TfRecords}), verifying both CRCs of every
 * record. A CRC mismatch, a truncated record or a broken GZIP stream is a {@link
 * BadInputException} naming the file, the record index and its byte offset in the (uncompressed)
 * record stream. Not thread-safe.
 */
public final class TfRecordReader implements AutoCloseable {
  /** Records larger than this are refused before allocating (a sane bound, as TF's reader has). */
  static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;

  private final InputStream in;
  private final String source;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long offset;
  private long index;

  /**
   * Reads records from {@code in}; {@code source} names the file in error messages. The reader
   * owns the stream from now on.
   */
  public TfRecordReader(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /** The next record's data, or null at the clean end of the file. */
  public byte[] next() {
    long start = offset;
    int got = readFully(header, 0, header.length);
    if (got == 0) {
      return null;
    }
    if (got < header.length) {
      throw corrupt(start, "truncated record header (" + got + " of 12 bytes)");
    }
    long length = getLongLe(header, 0);
    if (getIntLe(header, 8) != TfRecords.maskedCrc32c(header, 0, 8)) {
      throw corrupt(start, "length CRC mismatch (corrupt record)");
    }
    if (length < 0 || length > MAX_RECORD_BYTES) {
      throw corrupt(start, "record length " + Long.toUnsignedString(length) + " is out of range");
    }
    byte[] data = new byte[(int) length];
    int dataGot = readFully(data, 0, data.length);
    if (dataGot < data.length) {
      throw corrupt(start, "truncated record data (" + dataGot + " of " + length + " bytes)");
    }
    int footerGot = readFully(footer, 0, footer.length);
    if (footerGot < footer.length) {
      throw corrupt(start, "truncated record (data CRC missing)");
    }
    if (getIntLe(footer, 0) != TfRecords.maskedCrc32c(data, 0, data.length)) {
      throw corrupt(start, "data CRC mismatch (corrupt record)");
    }
    index++;
    return data;
  }

  /** Index of the next record to be read (0-based); after the end, the number of records. */
  public long index() {
    return index;
  }

  /** The file this reader reads, for messages. */
  public String source() {
    return source;
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": close failed", e);
    }
  }

  /** Reads until {@code len} bytes or end of stream; returns the bytes read. */
  private int readFully(byte[] b, int off, int len) {
    int total = 0;
    try {
      while (total < len) {
        int n = in.read(b, off + total, len - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
    } catch (IOException e) {
      // GZIPInputStream reports a cut-off or damaged stream as an IOException.
      throw new BadInputException(
          source + ": record " + index + " at offset " + (offset + total) + ": " + e.getMessage(), e);
    }
    offset += total;
    return total;
  }

  private BadInputException corrupt(long at, String what) {
    return new BadInputException(source + ": record " + index + " at offset " + at + ": " + what);
  }

  private static long getLongLe(byte[] b, int at) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xffL);
    }
    return v;
  }

  private static int getIntLe(byte[] b, int at) {
    return (b[at] & 0xff)
        | (b[at + 1] & 0xff) << 8
        | (b[at + 2] & 0xff) << 16
        | (b[at + 3] & 0xff) << 24;
  }
}
