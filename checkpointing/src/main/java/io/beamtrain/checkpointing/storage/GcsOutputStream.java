package io.beamtrain.checkpointing.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The stream of {@link GcsStorage#openWrite}: buffers in memory up to the resumable threshold, so
 * small objects go up in one request on {@link #close()}; past it, opens a resumable session,
 * streams through it chunk by chunk and finalizes it on {@link #close()}. The object becomes
 * visible only when {@code close()} returns; if a write fails, {@code close()} commits nothing. Not
 * thread-safe (like any OutputStream).
 */
final class GcsOutputStream extends OutputStream {
  private static final int INITIAL_BUFFER = 64 * 1024;

  private final GcsStorage storage;
  private final GcsPath path;
  private final long threshold;
  private byte[] buffer;
  private int count;
  private GcsStorage.ResumableUpload upload;
  private boolean closed;
  private boolean failed;

  GcsOutputStream(GcsStorage storage, GcsPath path) {
    this.storage = storage;
    this.path = path;
    this.threshold = storage.config().resumableThresholdBytes();
    this.buffer = new byte[(int) Math.min(INITIAL_BUFFER, threshold)];
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException(path.uri() + ": stream already closed");
    }
    if (failed) {
      throw new IOException(path.uri() + ": an earlier write failed; nothing will be committed");
    }
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (upload == null && (long) count + len < threshold) {
      if (count + len > buffer.length) {
        buffer =
            Arrays.copyOf(
                buffer, (int) Math.min(threshold, Math.max(2L * buffer.length, count + len)));
      }
      System.arraycopy(b, off, buffer, count, len);
      count += len;
      return;
    }
    try {
      if (upload == null) {
        upload = storage.startResumable(path);
        byte[] buffered = buffer;
        int n = count;
        buffer = null;
        count = 0;
        storage.call(
            path,
            "upload",
            () -> {
              upload.write(buffered, 0, n);
              return null;
            });
      }
      storage.call(
          path,
          "upload",
          () -> {
            upload.write(b, off, len);
            return null;
          });
    } catch (RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (failed) {
      return;
    }
    if (upload == null) {
      storage.call(
          path,
          "write",
          () -> {
            storage.replace(path, buffer, count);
            return null;
          });
      buffer = null;
      return;
    }
    boolean committed = storage.call(path, "finish upload", upload::finish);
    if (!committed) {
      throw new StorageException(
          StorageException.Kind.PRECONDITION_FAILED,
          path.uri(),
          "another writer replaced the object while this stream was uploading; nothing committed");
    }
  }
}
