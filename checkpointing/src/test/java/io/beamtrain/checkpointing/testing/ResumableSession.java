package io.beamtrain.checkpointing.testing;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * State of one resumable upload. GCS persists the bytes of a non-final chunk only up to a multiple
 * of 256 KiB and reports the persisted size in the {@code Range} header of a 308; this class keeps
 * the same rule, also for a chunk whose connection broke off. Digests are updated as bytes are
 * persisted, so finalizing a 256 MB upload does not read it again. Guarded by its own monitor.
 */
final class ResumableSession {
  /** GCS's granularity for persisting a non-final chunk. */
  static final int QUANTUM = 256 * 1024;

  enum State {
    OPEN,
    COMPLETED,
    CANCELLED,
    FAILED
  }

  final String id;
  final String bucket;
  final String name;
  final ObjectAttributes attributes;
  final Preconditions preconditions;

  /** X-Upload-Content-Length of the initiation, -1 if not declared. */
  final long declaredLength;

  final String expectedMd5;
  final String expectedCrc32c;

  private final List<ObjectContent.Slice> slices = new ArrayList<>();
  private final MessageDigest md5 = ObjectContent.newMd5();
  private final CRC32C crc32c = new CRC32C();
  private long persisted;
  private State state = State.OPEN;
  private StoredObject result;
  private GcsError failure;

  ResumableSession(
      String id,
      String bucket,
      String name,
      ObjectAttributes attributes,
      Preconditions preconditions,
      long declaredLength,
      String expectedMd5,
      String expectedCrc32c) {
    this.id = id;
    this.bucket = bucket;
    this.name = name;
    this.attributes = attributes;
    this.preconditions = preconditions;
    this.declaredLength = declaredLength;
    this.expectedMd5 = expectedMd5;
    this.expectedCrc32c = expectedCrc32c;
  }

  long persisted() {
    return persisted;
  }

  State state() {
    return state;
  }

  StoredObject result() {
    return result;
  }

  GcsError failure() {
    return failure;
  }

  /** Appends {@code length} bytes of {@code array} (which nobody writes to afterwards). */
  void append(byte[] array, int offset, int length) {
    if (length <= 0) {
      return;
    }
    slices.add(new ObjectContent.Slice(array, offset, length));
    md5.update(array, offset, length);
    crc32c.update(array, offset, length);
    persisted += length;
  }

  /**
   * How many of {@code received} new bytes a non-final chunk persists: up to a 256 KiB multiple.
   */
  long alignedPersistable(long received) {
    long end = ((persisted + received) / QUANTUM) * QUANTUM;
    return Math.max(0, end - persisted);
  }

  ObjectContent content() {
    return ObjectContent.of(slices);
  }

  String md5Base64() {
    try {
      return Base64.getEncoder().encodeToString(((MessageDigest) md5.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("MD5 digest not cloneable", e);
    }
  }

  String crc32cBase64() {
    return ObjectContent.crc32cBase64(crc32c.getValue());
  }

  void complete(StoredObject object) {
    state = State.COMPLETED;
    result = object;
    slices.clear();
  }

  void fail(GcsError error) {
    state = State.FAILED;
    failure = error;
    slices.clear();
  }

  void cancel() {
    state = State.CANCELLED;
    slices.clear();
  }
}
