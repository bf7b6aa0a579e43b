package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * A GZIP TFRecord file being written through Beam's file systems (local or {@code gs://}), with
 * the same calls as {@code FileIO.write().via(TFRecordIO.sink()).withCompression(GZIP)} makes
 * (sink open, a write per record, sink flush, channel close), so the bytes are the same as that
 * write gives for the same records. Not thread-safe.
 */
final class GzipTfRecordFile implements AutoCloseable {
  private final WritableByteChannel channel;
  private final TFRecordIO.Sink sink = TFRecordIO.sink();

  private GzipTfRecordFile(WritableByteChannel channel) throws IOException {
    this.channel = channel;
    sink.open(channel);
  }

  /** Creates (or replaces) {@code path}. */
  static GzipTfRecordFile create(String path) throws IOException {
    WritableByteChannel raw =
        FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.BINARY);
    try {
      return new GzipTfRecordFile(Compression.GZIP.writeCompressed(raw));
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  void write(byte[] record) throws IOException {
    sink.write(record);
  }

  @Override
  public void close() throws IOException {
    try {
      sink.flush();
    } finally {
      channel.close();
    }
  }
}
