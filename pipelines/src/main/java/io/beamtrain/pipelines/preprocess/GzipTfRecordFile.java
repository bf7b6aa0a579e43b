package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
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
 *
 * <p>Unlike that write, the channels are buffered ({@value #BUFFER_BYTES} bytes): on the records'
 * side, so the compressor gets large inputs instead of three calls per record (TFRecord header,
 * data and footer, each a native deflate call), and on the file's side, so the compressed bytes
 * reach the file in large writes instead of Beam's 4 KiB pieces. The buffers are drained by plain
 * writes and never flushed into the GZIP stream (a flush there would be a sync flush, which
 * changes the bytes), and deflate's output does not depend on how its input was cut into
 * calls, so the file's bytes stay those of the unbuffered write.
 */
final class GzipTfRecordFile implements AutoCloseable {
  /** Size of each of the two buffers. */
  static final int BUFFER_BYTES = 1 << 16;

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
      return new GzipTfRecordFile(
          new BufferedChannel(Compression.GZIP.writeCompressed(new BufferedChannel(raw))));
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

  /**
   * Collects small writes into one buffer and hands it on when full or at {@link #close}; never
   * flushes {@code out} (see the class comment).
   */
  static final class BufferedChannel implements WritableByteChannel {
    private final WritableByteChannel out;
    private ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);

    BufferedChannel(WritableByteChannel out) {
      this.out = out;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (buffer == null) {
        throw new ClosedChannelException();
      }
      int written = src.remaining();
      while (src.hasRemaining()) {
        if (!buffer.hasRemaining()) {
          drain();
        }
        if (src.remaining() <= buffer.remaining()) {
          buffer.put(src);
        } else {
          ByteBuffer part = src.duplicate();
          part.limit(part.position() + buffer.remaining());
          buffer.put(part);
          src.position(part.position());
        }
      }
      return written;
    }

    private void drain() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      buffer.clear();
    }

    @Override
    public boolean isOpen() {
      return buffer != null;
    }

    @Override
    public void close() throws IOException {
      if (buffer == null) {
        return;
      }
      try {
        drain();
      } finally {
        buffer = null;
        out.close();
      }
    }
  }
}
