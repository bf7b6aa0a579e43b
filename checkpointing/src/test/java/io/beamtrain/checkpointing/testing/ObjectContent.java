package io.beamtrain.checkpointing.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Immutable object bytes held as a list of slices of the arrays they arrived in, so a 256 MB upload
 * received in chunks is never copied into one big array, and rewrite/compose share slices instead
 * of copying them. Thread-safe (immutable).
 */
final class ObjectContent {
  static final ObjectContent EMPTY = new ObjectContent(List.of(), 0);

  /** A window on an array that nobody writes to after it has been sliced. */
  record Slice(byte[] array, int offset, int length) {
    Slice {
      if (offset < 0 || length < 0 || offset + length > array.length) {
        throw new IllegalArgumentException("slice out of bounds");
      }
    }
  }

  private final List<Slice> slices;
  private final long size;

  private ObjectContent(List<Slice> slices, long size) {
    this.slices = slices;
    this.size = size;
  }

  static ObjectContent of(byte[] bytes) {
    return bytes.length == 0
        ? EMPTY
        : new ObjectContent(List.of(new Slice(bytes, 0, bytes.length)), bytes.length);
  }

  static ObjectContent of(List<Slice> slices) {
    long size = 0;
    List<Slice> kept = new ArrayList<>();
    for (Slice s : slices) {
      if (s.length() > 0) {
        kept.add(s);
        size += s.length();
      }
    }
    return new ObjectContent(List.copyOf(kept), size);
  }

  /** The concatenation of several contents (compose), sharing their slices. */
  static ObjectContent concat(List<ObjectContent> parts) {
    List<Slice> all = new ArrayList<>();
    for (ObjectContent part : parts) {
      all.addAll(part.slices);
    }
    return of(all);
  }

  long size() {
    return size;
  }

  /** Writes bytes [from, from + length) to {@code out}; returns how many were written. */
  long writeTo(OutputStream out, long from, long length) throws IOException {
    long skip = from;
    long remaining = length;
    for (Slice s : slices) {
      if (remaining <= 0) {
        break;
      }
      if (skip >= s.length()) {
        skip -= s.length();
        continue;
      }
      int start = (int) skip;
      int n = (int) Math.min(s.length() - start, remaining);
      out.write(s.array(), s.offset() + start, n);
      remaining -= n;
      skip = 0;
    }
    return length - remaining;
  }

  /** A fresh copy of all bytes (for test assertions; avoid on large objects). */
  byte[] toByteArray() {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("object too large for one array: " + size);
    }
    byte[] out = new byte[(int) size];
    int pos = 0;
    for (Slice s : slices) {
      System.arraycopy(s.array(), s.offset(), out, pos, s.length());
      pos += s.length();
    }
    return out;
  }

  /** Base64 of the MD5 digest, as GCS's {@code md5Hash}. */
  String md5Base64() {
    MessageDigest md5 = newMd5();
    for (Slice s : slices) {
      md5.update(s.array(), s.offset(), s.length());
    }
    return Base64.getEncoder().encodeToString(md5.digest());
  }

  /** Base64 of the big-endian CRC32C, as GCS's {@code crc32c}. */
  String crc32cBase64() {
    CRC32C crc = new CRC32C();
    for (Slice s : slices) {
      crc.update(s.array(), s.offset(), s.length());
    }
    return crc32cBase64(crc.getValue());
  }

  static String crc32cBase64(long value) {
    byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    return Base64.getEncoder().encodeToString(b);
  }

  static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is a required JDK algorithm", e);
    }
  }
}
