package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.SeekableInputStream;

/**
 * An {@link InputFile} as Parquet's {@link org.apache.parquet.io.InputFile}, so parquet-avro reads
 * local and {@code gs://} files through Beam's file systems (as ParquetIO does) instead of
 * Hadoop's. Each stream Parquet asks for is a channel of its own.
 */
final class ChannelInputFile implements org.apache.parquet.io.InputFile {
  private final InputFile file;
  private long length = -1;

  ChannelInputFile(InputFile file) {
    this.file = file;
  }

  @Override
  public long getLength() throws IOException {
    if (length < 0) {
      try (SeekableByteChannel channel = file.seekable()) {
        length = channel.size();
      }
    }
    return length;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    SeekableByteChannel channel = file.seekable();
    return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
      @Override
      public long getPos() throws IOException {
        return channel.position();
      }

      @Override
      public void seek(long position) throws IOException {
        channel.position(position);
      }
    };
  }
}
