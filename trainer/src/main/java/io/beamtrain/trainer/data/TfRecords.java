package io.beamtrain.trainer.data;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * TFRecord files, as TensorFlow's {@code tf.io.TFRecordWriter} / {@code TFRecordDataset} write and
 * read them: each record is {@code uint64 length, uint32 masked_crc32c(length), byte[length] data,
 * uint32 masked_crc32c(data)}, little-endian. A path ending in {@code .gz} is GZIP-compressed (TF's
 * {@code compression_type="GZIP"}), any other path is plain.
 *
 * <p>Files are read and written through {@code Storages.forPath(path, config)}, so local paths and
 * {@code gs://} objects both work; a written file becomes visible only when its writer is closed.
 */
public final class TfRecords {
  /** Suffix that selects GZIP compression. */
  public static final String GZIP_SUFFIX = ".gz";

  private static final int MASK_DELTA = 0xa282ead8;
  private static final int BUFFER_BYTES = 256 * 1024;

  private TfRecords() {}

  /** Opens {@code path} for reading; GZIP when it ends with {@value #GZIP_SUFFIX}. */
  public static TfRecordReader openReader(String path, StorageConfig config) {
    InputStream raw = Storages.forPath(path, config).openRead(path);
    try {
      // Records are read in small pieces (12-byte headers); buffer after inflating so each piece
      // is not a call into the native inflater.
      InputStream in =
          new BufferedInputStream(
              isGzip(path) ? new GZIPInputStream(raw, BUFFER_BYTES) : raw, BUFFER_BYTES);
      return new TfRecordReader(in, path);
    } catch (IOException e) {
      closeQuietly(raw, e);
      throw new BadInputException(
          path + ": not a GZIP file (the .gz suffix says it should be): " + e.getMessage(), e);
    }
  }

  /**
   * Opens {@code path} for writing; GZIP when it ends with {@value #GZIP_SUFFIX}. Nothing is
   * visible at {@code path} until the writer is closed.
   */
  public static TfRecordWriter openWriter(String path, StorageConfig config) {
    OutputStream raw = Storages.forPath(path, config).openWrite(path);
    try {
      OutputStream out =
          new BufferedOutputStream(
              isGzip(path) ? new GZIPOutputStream(raw, BUFFER_BYTES) : raw, BUFFER_BYTES);
      return new TfRecordWriter(out);
    } catch (IOException e) {
      closeQuietly(raw, e);
      throw new UncheckedIOException(path + ": cannot start GZIP stream", e);
    }
  }

  /** Reads every record of a file into memory. */
  public static List<byte[]> readAll(String path, StorageConfig config) {
    List<byte[]> records = new ArrayList<>();
    try (TfRecordReader reader = openReader(path, config)) {
      for (byte[] r = reader.next(); r != null; r = reader.next()) {
        records.add(r);
      }
    }
    return records;
  }

  /** Writes {@code records} as the whole file at {@code path}. */
  public static void writeAll(String path, StorageConfig config, Iterable<byte[]> records) {
    try (TfRecordWriter writer = openWriter(path, config)) {
      for (byte[] r : records) {
        writer.write(r);
      }
    }
  }

  static boolean isGzip(String path) {
    return path.endsWith(GZIP_SUFFIX);
  }

  /** TensorFlow's masked CRC32C: rotate right by 15 bits and add a constant. */
  static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }

  private static void closeQuietly(Closeable c, Exception primary) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }
}
