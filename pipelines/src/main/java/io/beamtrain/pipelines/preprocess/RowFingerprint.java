package io.beamtrain.pipelines.preprocess;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.util.Arrays;

/**
 * A stable 64-bit fingerprint of a row's content, for the deterministic train/eval split.
 *
 * <p>The fingerprint is FarmHash Fingerprint64 (the function behind TensorFlow's {@code
 * tf.strings.to_hash_bucket_fast}, stable across releases and platforms) of the UTF-8 bytes of
 * {@code seed + "\u001f" + v1 + "\u001f" + v2 ...}: the seed in decimal, then every schema column's
 * raw text, a missing cell as the empty string. It depends on the content only, not on the file
 * name, line or order, so the same rows split the same way on any runner, any parallelism and
 * after the files are moved or merged; duplicate rows always land in the same split, which keeps
 * exact duplicates from leaking between train and eval (TFX ExampleGen hashes whole examples for
 * the same reason).
 *
 * <p>Not thread-safe: keeps a growing byte buffer so fingerprinting allocates nothing per row.
 */
public final class RowFingerprint {
  private static final HashFunction FARMHASH = Hashing.farmHashFingerprint64();
  private static final char SEPARATOR = '\u001f';

  private final byte[] seedPrefix;
  private byte[] buffer = new byte[256];
  private int length;

  public RowFingerprint(long seed) {
    this.seedPrefix = Long.toString(seed).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public long of(ParsedRow row) {
    length = 0;
    ensure(seedPrefix.length);
    System.arraycopy(seedPrefix, 0, buffer, 0, seedPrefix.length);
    length = seedPrefix.length;
    for (int i = 0; i < row.size(); i++) {
      appendChar(SEPARATOR);
      String value = row.get(i);
      if (value != null) {
        appendUtf8(value);
      }
    }
    return FARMHASH.hashBytes(buffer, 0, length).asLong();
  }

  /** Maps a fingerprint to a uniform number in [0, 1) from its top 53 bits. */
  public static double toUnitInterval(long fingerprint) {
    return (fingerprint >>> 11) * 0x1.0p-53;
  }

  private void appendUtf8(String s) {
    ensure(length + 3 * s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int codePoint = Character.toCodePoint(c, s.charAt(++i));
        ensure(length + 4 + 3 * (s.length() - i));
        buffer[length++] = (byte) (0xF0 | (codePoint >>> 18));
        buffer[length++] = (byte) (0x80 | ((codePoint >>> 12) & 0x3F));
        buffer[length++] = (byte) (0x80 | ((codePoint >>> 6) & 0x3F));
        buffer[length++] = (byte) (0x80 | (codePoint & 0x3F));
      } else {
        appendChar(c);
      }
    }
  }

  /** Appends one BMP char (a lone surrogate encodes as '?', as String.getBytes does). */
  private void appendChar(char c) {
    ensure(length + 3);
    if (c < 0x80) {
      buffer[length++] = (byte) c;
    } else if (c < 0x800) {
      buffer[length++] = (byte) (0xC0 | (c >>> 6));
      buffer[length++] = (byte) (0x80 | (c & 0x3F));
    } else if (Character.isSurrogate(c)) {
      buffer[length++] = (byte) '?';
    } else {
      buffer[length++] = (byte) (0xE0 | (c >>> 12));
      buffer[length++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
      buffer[length++] = (byte) (0x80 | (c & 0x3F));
    }
  }

  private void ensure(int capacity) {
    if (capacity > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(capacity, 2 * buffer.length));
    }
  }
}
