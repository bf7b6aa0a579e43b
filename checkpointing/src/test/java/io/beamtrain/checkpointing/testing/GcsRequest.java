package io.beamtrain.checkpointing.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP request as the JSON API handlers see it, whether it came over a socket or as a part of a
 * batch request. The body is a stream so large uploads are read once, straight into their final
 * arrays.
 */
final class GcsRequest {
  private final String method;
  private final String rawPath;
  private final String rawQuery;
  private final Map<String, String> query;
  private final Map<String, String> headers;
  private final InputStream body;
  private final long contentLength;
  private final String baseUrl;
  private final boolean batchPart;

  GcsRequest(
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      InputStream body,
      String baseUrl,
      boolean batchPart) {
    this.method = method.toUpperCase(Locale.ROOT);
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
    this.query = Collections.unmodifiableMap(parseQuery(rawQuery));
    Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (k, v) -> {
          if (k != null && !v.isEmpty()) {
            h.put(k, v.get(0));
          }
        });
    this.headers = Collections.unmodifiableMap(h);
    String length = h.get("Content-Length");
    // Clients may gzip request bodies (google-api-client does for multipart uploads); GCS accepts
    // that, so decode here and let handlers see the plain body of unknown length.
    if ("gzip".equalsIgnoreCase(h.get("Content-Encoding"))) {
      this.body = gunzip(body);
      this.contentLength = -1;
    } else {
      this.body = body;
      this.contentLength = length == null ? -1 : Long.parseLong(length.trim());
    }
    this.baseUrl = baseUrl;
    this.batchPart = batchPart;
  }

  private GcsRequest(GcsRequest base, byte[] body) {
    this.method = base.method;
    this.rawPath = base.rawPath;
    this.rawQuery = base.rawQuery;
    this.query = base.query;
    this.headers = base.headers;
    this.body = new java.io.ByteArrayInputStream(body);
    this.contentLength = body.length;
    this.baseUrl = base.baseUrl;
    this.batchPart = base.batchPart;
  }

  /** This request with its (decoded) body already read into memory. */
  GcsRequest withBufferedBody(byte[] body) {
    return new GcsRequest(this, body);
  }

  String method() {
    return method;
  }

  String rawPath() {
    return rawPath;
  }

  /** The query string as sent, or null. */
  String rawQuery() {
    return rawQuery;
  }

  /** The path with percent-escapes decoded (object names show their slashes). */
  String path() {
    return percentDecode(rawPath);
  }

  Map<String, String> query() {
    return query;
  }

  String param(String name) {
    return query.get(name);
  }

  String header(String name) {
    return headers.get(name);
  }

  InputStream body() {
    return body;
  }

  /** The declared body length, -1 when the body is chunked. */
  long contentLength() {
    return contentLength;
  }

  /** {@code http://host:port} as the client addressed us (for Location and selfLink). */
  String baseUrl() {
    return baseUrl;
  }

  boolean batchPart() {
    return batchPart;
  }

  byte[] readBody() throws IOException {
    if (contentLength >= 0) {
      return body.readNBytes((int) contentLength);
    }
    return body.readAllBytes();
  }

  /** Reads and discards the rest of the body, so an early error response reaches the client. */
  void drainBody() throws IOException {
    byte[] sink = new byte[64 * 1024];
    while (body.read(sink) >= 0) {
      // discard
    }
  }

  /** Decompresses lazily, so nothing is read from the socket before a fault rule is applied. */
  private static InputStream gunzip(InputStream in) {
    return new InputStream() {
      private InputStream gz;

      private InputStream gz() throws IOException {
        if (gz == null) {
          gz = new java.util.zip.GZIPInputStream(in, 64 * 1024);
        }
        return gz;
      }

      @Override
      public int read() throws IOException {
        return gz().read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return gz().read(b, off, len);
      }
    };
  }

  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.putIfAbsent(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Decodes %XX escapes only; unlike form decoding, '+' stays '+' in a path. */
  static String percentDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi * 16 + lo);
          i += 3;
          continue;
        }
      }
      int cp = raw.codePointAt(i);
      byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
      i += Character.charCount(cp);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static List<String> splitPath(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
