package io.beamtrain.pipelines.preprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Decodes UTF-8 like an {@link java.io.InputStreamReader}, and remembers where the input was not
 * valid UTF-8, so a reader of records can reject the records that hold such bytes instead of
 * passing on the U+FFFD characters they decode to (which would become vocabulary values). Each
 * invalid sequence still reads as one U+FFFD, so the records around it parse as usual; {@link
 * #firstInvalidByte} then tells, for a record's character range, the byte offset of the first
 * invalid sequence in it.
 *
 * <p>Queries must come in input order: ranges before the one asked about are forgotten, which
 * keeps the memory at what the caller has read ahead. Not thread-safe.
 */
public final class Utf8CheckingReader extends Reader {
  private static final char REPLACEMENT = '\uFFFD';
  private static final int BUFFER_BYTES = 1 << 16;

  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_BYTES).flip();
  /** Offset in the input of {@code bytes}' first byte. */
  private long bytesOffset;
  private long charsRead;
  private boolean endOfInput;
  private boolean flushed;
  /** Invalid sequences not yet asked about: {character offset, byte offset}. */
  private final ArrayDeque<long[]> invalid = new ArrayDeque<>();

  public Utf8CheckingReader(InputStream in) {
    this.in = in;
  }

  /**
   * The 0-based byte offset of the first invalid UTF-8 sequence among the characters {@code
   * [fromChar, toChar)}, or -1 when they were all valid; forgets the sequences before {@code
   * fromChar}.
   */
  public long firstInvalidByte(long fromChar, long toChar) {
    while (!invalid.isEmpty() && invalid.peekFirst()[0] < fromChar) {
      invalid.removeFirst();
    }
    long[] first = invalid.peekFirst();
    return first != null && first[0] < toChar ? first[1] : -1;
  }

  @Override
  public int read(char[] target, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (flushed) {
      return -1;
    }
    CharBuffer out = CharBuffer.wrap(target, offset, length);
    while (true) {
      CoderResult result = decoder.decode(bytes, out, endOfInput);
      if (result.isError()) {
        if (!out.hasRemaining()) {
          break; // reported again on the next call, when there is room for its U+FFFD
        }
        invalid.addLast(
            new long[] {charsRead + out.position() - offset, bytesOffset + bytes.position()});
        bytes.position(bytes.position() + result.length());
        out.put(REPLACEMENT);
        continue;
      }
      if (result.isOverflow() || out.position() > offset) {
        break;
      }
      if (endOfInput) {
        decoder.flush(out);
        flushed = true;
        break;
      }
      refill();
    }
    int produced = out.position() - offset;
    charsRead += produced;
    return produced == 0 ? -1 : produced;
  }

  private void refill() throws IOException {
    bytesOffset += bytes.position();
    bytes.compact();
    int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
    if (n < 0) {
      endOfInput = true;
    } else {
      bytes.position(bytes.position() + n);
    }
    bytes.flip();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
