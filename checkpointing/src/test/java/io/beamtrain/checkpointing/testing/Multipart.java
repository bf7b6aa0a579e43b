package io.beamtrain.checkpointing.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * RFC 2046 multipart bodies, as used by {@code uploadType=multipart} (multipart/related) and the
 * batch endpoint (multipart/mixed). Parts are windows on the body array, not copies.
 */
final class Multipart {
  private Multipart() {}

  record Part(Map<String, String> headers, byte[] source, int offset, int length) {
    byte[] bytes() {
      byte[] out = new byte[length];
      System.arraycopy(source, offset, out, 0, length);
      return out;
    }

    String text() {
      return new String(source, offset, length, StandardCharsets.UTF_8);
    }
  }

  /** The boundary parameter of a multipart Content-Type header. */
  static String boundary(String contentType) {
    if (contentType == null) {
      throw GcsError.invalid("Missing Content-Type for a multipart body");
    }
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.regionMatches(true, 0, "boundary=", 0, 9)) {
        String b = p.substring(9);
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        return b;
      }
    }
    throw GcsError.invalid("Content-Type has no boundary: " + contentType);
  }

  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    List<Part> parts = new ArrayList<>();
    int pos = indexOf(body, delimiter, 0);
    if (pos < 0) {
      throw GcsError.invalid("Multipart body does not contain its boundary");
    }
    while (true) {
      pos += delimiter.length;
      if (pos + 1 < body.length && body[pos] == '-' && body[pos + 1] == '-') {
        return parts;
      }
      pos = skipLineEnd(body, pos);
      int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
      int bodyStart;
      if (headerEnd >= 0) {
        bodyStart = headerEnd + 4;
      } else {
        headerEnd = indexOf(body, "\n\n".getBytes(StandardCharsets.ISO_8859_1), pos);
        if (headerEnd < 0) {
          throw GcsError.invalid("Multipart part without a header terminator");
        }
        bodyStart = headerEnd + 2;
      }
      // A part with no headers starts directly with the blank line.
      if (startsWith(body, pos, "\r\n")) {
        headerEnd = pos;
        bodyStart = pos + 2;
      }
      Map<String, String> headers =
          parseHeaders(new String(body, pos, headerEnd - pos, StandardCharsets.UTF_8));
      int next = indexOf(body, delimiter, bodyStart);
      if (next < 0) {
        throw GcsError.invalid("Multipart body is not terminated by its boundary");
      }
      int bodyEnd = next;
      if (bodyEnd >= 2 && body[bodyEnd - 2] == '\r' && body[bodyEnd - 1] == '\n') {
        bodyEnd -= 2;
      } else if (bodyEnd >= 1 && body[bodyEnd - 1] == '\n') {
        bodyEnd -= 1;
      }
      parts.add(new Part(headers, body, bodyStart, Math.max(0, bodyEnd - bodyStart)));
      pos = next;
    }
  }

  static Map<String, String> parseHeaders(String block) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line : block.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static int skipLineEnd(byte[] body, int pos) {
    if (startsWith(body, pos, "\r\n")) {
      return pos + 2;
    }
    if (pos < body.length && body[pos] == '\n') {
      return pos + 1;
    }
    return pos;
  }

  private static boolean startsWith(byte[] body, int pos, String s) {
    if (pos + s.length() > body.length) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (body[pos + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      if (hay[i] != needle[0]) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
