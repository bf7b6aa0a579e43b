package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.util.MimeTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GzipTfRecordFile}'s buffering leaves the bytes of Beam's own GZIP TFRecord write
 * unchanged, for small and large records and for an empty file.
 */
class GzipTfRecordFileTest {
  @TempDir Path tmp;

  @Test
  void bytesAreThoseOfBeamsUnbufferedWrite() throws IOException {
    Random random = new Random(7);
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      // Compressible tf.Example-like records, a few larger than a buffer.
      int size = i % 5000 == 17 ? 3 * GzipTfRecordFile.BUFFER_BYTES + 11 : random.nextInt(120);
      byte[] record = new byte[size];
      for (int j = 0; j < size; j++) {
        record[j] = (byte) ('a' + random.nextInt(i % 3 == 0 ? 4 : 26));
      }
      records.add(record);
    }
    assertSameBytes(records);
    assertSameBytes(List.of());
    assertSameBytes(List.of(new byte[0]));
  }

  @Test
  void theBufferHandsOnEveryByteInOrderAndRefusesWritesAfterClose() throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    boolean[] closed = {false};
    WritableByteChannel sink =
        new WritableByteChannel() {
          @Override
          public int write(ByteBuffer src) {
            byte[] chunk = new byte[src.remaining()];
            src.get(chunk);
            chunks.add(chunk);
            return chunk.length;
          }

          @Override
          public boolean isOpen() {
            return !closed[0];
          }

          @Override
          public void close() {
            closed[0] = true;
          }
        };
    GzipTfRecordFile.BufferedChannel buffered = new GzipTfRecordFile.BufferedChannel(sink);
    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 5000; i++) {
      byte[] data = new byte[i % 97 == 0 ? GzipTfRecordFile.BUFFER_BYTES + 5 : i % 13];
      java.util.Arrays.fill(data, (byte) i);
      expected.write(data);
      assertEquals(data.length, buffered.write(ByteBuffer.wrap(data)));
    }
    buffered.close();
    java.io.ByteArrayOutputStream actual = new java.io.ByteArrayOutputStream();
    for (byte[] chunk : chunks) {
      actual.write(chunk);
      assertEquals(true, chunk.length <= GzipTfRecordFile.BUFFER_BYTES);
    }
    assertArrayEquals(expected.toByteArray(), actual.toByteArray());
    assertEquals(true, closed[0]);
    assertThrows(ClosedChannelException.class, () -> buffered.write(ByteBuffer.allocate(1)));
  }

  private void assertSameBytes(List<byte[]> records) throws IOException {
    Path ours = Files.createTempFile(tmp, "ours", ".gz");
    Path beams = Files.createTempFile(tmp, "beams", ".gz");
    try (GzipTfRecordFile file = GzipTfRecordFile.create(ours.toString())) {
      for (byte[] record : records) {
        file.write(record);
      }
    }
    // What FileIO.write().via(TFRecordIO.sink()).withCompression(GZIP) does, unbuffered.
    WritableByteChannel channel =
        Compression.GZIP.writeCompressed(
            FileSystems.create(
                FileSystems.matchNewResource(beams.toString(), false), MimeTypes.BINARY));
    TFRecordIO.Sink sink = TFRecordIO.sink();
    sink.open(channel);
    for (byte[] record : records) {
      sink.write(record);
    }
    sink.flush();
    channel.close();
    assertArrayEquals(Files.readAllBytes(beams), Files.readAllBytes(ours));
  }
}
