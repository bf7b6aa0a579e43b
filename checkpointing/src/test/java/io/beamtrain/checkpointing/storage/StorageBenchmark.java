package io.beamtrain.checkpointing.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.testing.GcsTestServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the storage backends for 1, 64 and 256 MB objects: local disk and the in-process
 * GCS test server through the real client, each beside the raw sequential write speed of the same
 * disk measured in the same run (a plain FileChannel write of the same bytes, then one fsync, as
 * a LocalStorage write ends with fsyncs too). Prints MB/s; asserts only that the bytes came back
 * intact.
 *
 * <p>Run: {@code mvn -Pbenchmarks verify -pl checkpointing -am -Dtest=StorageBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class StorageBenchmark {
  private static final int MB = 1 << 20;
  private static final int[] SIZES_MB = {1, 64, 256};

  @TempDir Path dir;

  @Test
  void throughput() throws IOException {
    try (GcsTestServer server = GcsTestServer.start()) {
      server.createBucket("bench");
      Storage local = new LocalStorage();
      Storage gcs = new GcsStorage(server.storageConfig());
      System.out.println();
      System.out.println(
          "size   raw-write  local-write local-read | gcs-write gcs-upload gcs-read gcs-download "
              + " (MB/s)");
      for (int sizeMb : SIZES_MB) {
        byte[] data = new byte[sizeMb * MB];
        new Random(sizeMb).nextBytes(data);
        Path file = dir.resolve("src-" + sizeMb);
        double raw = mbPerS(data.length, () -> rawWrite(file, data));

        String localPath = dir.resolve("local/obj-" + sizeMb).toString();
        double localWrite = mbPerS(data.length, () -> local.writeBytes(localPath, data));
        byte[][] readBack = new byte[1][];
        double localRead = mbPerS(data.length, () -> readBack[0] = local.readBytes(localPath));
        assertArrayEquals(data, readBack[0]);
        readBack[0] = null;

        String gcsPath = "gs://bench/obj-" + sizeMb;
        double gcsWrite = mbPerS(data.length, () -> gcs.writeBytes(gcsPath, data));
        double gcsUpload = mbPerS(data.length, () -> gcs.upload(file, gcsPath + "-file"));
        double gcsRead = mbPerS(data.length, () -> readBack[0] = gcs.readBytes(gcsPath));
        assertArrayEquals(data, readBack[0]);
        readBack[0] = null;
        Path downloaded = dir.resolve("down-" + sizeMb);
        double gcsDownload = mbPerS(data.length, () -> gcs.download(gcsPath + "-file", downloaded));
        assertEquals(data.length, Files.size(downloaded));

        System.out.printf(
            Locale.ROOT,
            "%4d MB %9.0f %11.0f %10.0f | %9.0f %10.0f %8.0f %12.0f%n",
            sizeMb,
            raw,
            localWrite,
            localRead,
            gcsWrite,
            gcsUpload,
            gcsRead,
            gcsDownload);
        Files.delete(downloaded);
        Files.delete(file);
        local.delete(localPath);
        gcs.delete(gcsPath);
        gcs.delete(gcsPath + "-file");
      }
    }
  }

  private interface Action {
    void run() throws IOException;
  }

  /** Best of three runs, in MB/s. */
  private static double mbPerS(long bytes, Action action) throws IOException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      action.run();
      best = Math.min(best, System.nanoTime() - start);
    }
    return bytes / (double) MB / (best / 1e9);
  }

  private static void rawWrite(Path file, byte[] data) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }
}
