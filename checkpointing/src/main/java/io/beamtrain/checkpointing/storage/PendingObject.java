package io.beamtrain.checkpointing.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One object of a {@link Storage#writeAll} batch: its path and either its bytes or a local file
 * to copy. Holds the byte array it was given, without copying it.
 *
 * @param path where the object goes
 * @param bytes its contents, or null when {@code localFile} holds them
 * @param localFile a local file to copy, or null when {@code bytes} are given
 */
public record PendingObject(String path, byte[] bytes, Path localFile) {
  public PendingObject {
    Objects.requireNonNull(path, "path");
    if ((bytes == null) == (localFile == null)) {
      throw new IllegalArgumentException(path + ": give either bytes or a local file");
    }
  }

  /** An object holding {@code data}. */
  public static PendingObject ofBytes(String path, byte[] data) {
    return new PendingObject(path, Objects.requireNonNull(data, "data"), null);
  }

  /** An object holding a copy of {@code localFile}. */
  public static PendingObject ofFile(Path localFile, String path) {
    return new PendingObject(path, null, Objects.requireNonNull(localFile, "localFile"));
  }

  /** Writes this object alone, through {@link Storage#writeBytes} or {@link Storage#upload}. */
  void writeTo(Storage storage) {
    if (bytes != null) {
      storage.writeBytes(path, bytes);
    } else {
      storage.upload(localFile, path);
    }
  }
}
