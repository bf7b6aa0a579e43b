package io.beamtrain.trainer.data;

import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes TFRecord framing to a stream (see {@link TfRecords}). Not thread-safe. Closing the writer
 * closes the stream, which for a Storage stream is what makes the object visible.
 */
public final class TfRecordWriter implements AutoCloseable {
  private final OutputStream out;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long records;

  /** Frames records onto {@code out}; the writer owns the stream from now on. */
  public TfRecordWriter(OutputStream out) {
    this.out = out;
  }

  public void write(byte[] data) {
    write(data, 0, data.length);
  }

  public void write(MessageLite message) {
    write(message.toByteArray());
  }

  public void write(byte[] data, int offset, int length) {
    putLongLe(header, 0, length);
    putIntLe(header, 8, TfRecords.maskedCrc32c(header, 0, 8));
    putIntLe(footer, 0, TfRecords.maskedCrc32c(data, offset, length));
    try {
      out.write(header);
      out.write(data, offset, length);
      out.write(footer);
    } catch (IOException e) {
      throw new UncheckedIOException("writing TFRecord " + records, e);
    }
    records++;
  }

  /** Records written so far. */
  public long count() {
    return records;
  }

  /** Pushes buffered bytes to the underlying stream (it does not make a Storage object visible). */
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("flushing TFRecords", e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing TFRecord file after " + records + " records", e);
    }
  }

  private static void putLongLe(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  private static void putIntLe(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }
}
