package io.beamtrain.checkpointing.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Object-store semantics over local disk and Google Cloud Storage, addressed by path string.
 *
 * <p>Paths are object names, not files in directories: writing {@code gs://b/deep/nested/file}
 * needs no parent to exist and creates no directory markers; a "directory" is only a prefix. Local
 * paths behave the same way (parents are created on demand, writes are atomic via temp file and
 * rename), so code above this interface never checks for directories.
 *
 * <p>Every failure of the backend surfaces as a {@link StorageException} naming the path. Missing
 * objects are {@link StorageException.Kind#NOT_FOUND} for reads, {@code false}/empty for {@link
 * #exists}, {@link #stat} and {@link #delete}; a missing gs:// bucket is {@link
 * StorageException.Kind#BUCKET_NOT_FOUND} for every operation, so it is never mistaken for "no
 * object yet". Implementations are thread-safe.
 */
public interface Storage {

  /** Reads a whole object. */
  byte[] readBytes(String path);

  /**
   * Reads a whole object, empty when there is none (a plain read: unlike {@link #readVersioned},
   * it leaves nothing behind on a local path).
   */
  default Optional<byte[]> readIfExists(String path) {
    try {
      return Optional.of(readBytes(path));
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Opens an object for streaming reads; the caller closes the stream. */
  InputStream openRead(String path);

  /** Writes a whole object, replacing any previous one; readers never see a partial object. */
  void writeBytes(String path, byte[] data);

  /**
   * Opens a stream whose bytes become the object when the stream is closed; nothing is visible
   * before {@code close()} returns, and nothing at all if the write fails.
   */
  OutputStream openWrite(String path);

  /** Copies a local file to {@code path} (resumable upload on GCS for large files). */
  void upload(Path localFile, String path);

  /**
   * Writes every object as {@link #writeBytes} or {@link #upload} would (each atomic, all durable
   * once this returns), in whatever order and grouping is cheapest for the backend: a local disk
   * forces the files together and each directory once instead of file by file. Not atomic as a
   * group (after a failure some objects may be written), so it suits files that become visible
   * only through a later commit, such as a checkpoint's files before its state file.
   */
  default void writeAll(List<PendingObject> objects) {
    for (PendingObject object : objects) {
      object.writeTo(this);
    }
  }

  /** Copies an object to a local file, creating the local parent directories. */
  void download(String path, Path localFile);

  /**
   * Lists every object whose path starts with {@code prefix} (recursively, no delimiter), sorted by
   * path. {@code list("gs://b/run/trial-1/")} lists that "directory"; {@code list("gs://b/run/m")}
   * also matches {@code gs://b/run/model.ckpt-1.index}.
   */
  List<StorageObject> list(String prefix);

  /** Deletes an object; returns false when it did not exist. */
  boolean delete(String path);

  /** Whether an object exists at exactly this path. */
  boolean exists(String path);

  /** Metadata of one object, empty when it does not exist. */
  Optional<StorageObject> stat(String path);

  /** Reads an object together with its generation, for a later {@link #compareAndSet}. */
  Optional<VersionedBytes> readVersioned(String path);

  /**
   * Writes {@code data} only if the object's current generation is {@code expectedGeneration}
   * ({@link StorageObject#NO_GENERATION} means "only if it does not exist"). Returns false, writing
   * nothing, when another writer got there first (HTTP 412 on GCS).
   */
  boolean compareAndSet(String path, byte[] data, long expectedGeneration);
}
