package io.beamtrain.checkpointing.storage;

import java.time.Instant;

/**
 * Metadata of one stored object.
 *
 * @param path full path ({@code gs://bucket/name} or an absolute local path)
 * @param size size in bytes
 * @param generation GCS object generation; for local files a value that changes on every write
 * @param updated last modification time
 */
public record StorageObject(String path, long size, long generation, Instant updated) {
  /** Generation meaning "the object does not exist", as GCS's {@code ifGenerationMatch=0}. */
  public static final long NO_GENERATION = 0L;
}
