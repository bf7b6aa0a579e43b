package io.beamtrain.checkpointing.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /batch/storage/v1}: a multipart/mixed body whose parts are embedded HTTP requests
 * ({@code application/http}); each is carried out on its own and answered by a part of a
 * multipart/mixed response in the same order, as GCS's batch endpoint does. At most 100 parts.
 */
final class BatchHandler {
  static final String PATH = "/batch/storage/v1";
  private static final int MAX_PARTS = 100;

  /** Carries out one embedded request (with part-level faults and logging). */
  interface PartDispatcher {
    GcsResponse dispatch(GcsRequest part);
  }

  private BatchHandler() {}

  static GcsResponse handle(GcsRequest req, PartDispatcher dispatcher) throws IOException {
    String boundary = Multipart.boundary(req.header("Content-Type"));
    List<Multipart.Part> parts = Multipart.parse(req.readBody(), boundary);
    if (parts.size() > MAX_PARTS) {
      throw GcsError.invalid(
          "A batch request may hold at most " + MAX_PARTS + " calls, got " + parts.size());
    }
    String outBoundary = "batch_" + UUID.randomUUID().toString().replace("-", "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int index = 0;
    for (Multipart.Part part : parts) {
      index++;
      GcsRequest inner = parseEmbedded(part, req.baseUrl());
      GcsResponse response = dispatcher.dispatch(inner);
      byte[] body = response.bodyBytes();
      String contentId = part.headers().getOrDefault("Content-ID", Integer.toString(index));
      StringBuilder head = new StringBuilder();
      head.append("--").append(outBoundary).append("\r\n");
      head.append("Content-Type: application/http\r\n");
      head.append("Content-ID: <response-").append(stripAngles(contentId)).append(">\r\n\r\n");
      head.append("HTTP/1.1 ")
          .append(response.status())
          .append(' ')
          .append(GcsResponse.reasonPhrase(response.status()))
          .append("\r\n");
      for (Map.Entry<String, String> h : response.headers().entrySet()) {
        head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      out.write(body);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write(("--" + outBoundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return GcsResponse.bytes(200, out.toByteArray(), "multipart/mixed; boundary=" + outBoundary);
  }

  /** Parses {@code METHOD url HTTP/1.1}, headers, blank line, body. */
  private static GcsRequest parseEmbedded(Multipart.Part part, String baseUrl) {
    byte[] src = part.source();
    int start = part.offset();
    int end = part.offset() + part.length();
    int headerEnd = Multipart.indexOf(src, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start);
    int bodyStart;
    if (headerEnd < 0 || headerEnd > end) {
      headerEnd = end;
      bodyStart = end;
    } else {
      bodyStart = headerEnd + 4;
    }
    String head = new String(src, start, headerEnd - start, StandardCharsets.UTF_8);
    String[] lines = head.split("\r\n", 2);
    String[] requestLine = lines[0].trim().split(" ");
    if (requestLine.length < 2) {
      throw GcsError.invalid("Malformed request line in batch part: " + lines[0]);
    }
    URI uri = URI.create(requestLine[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    if (lines.length > 1) {
      Multipart.parseHeaders(lines[1]).forEach((k, v) -> headers.put(k, List.of(v)));
    }
    byte[] body = new byte[Math.max(0, end - bodyStart)];
    System.arraycopy(src, bodyStart, body, 0, body.length);
    headers.put("Content-Length", List.of(Integer.toString(body.length)));
    return new GcsRequest(
        requestLine[0],
        uri.getRawPath(),
        uri.getRawQuery(),
        headers,
        new ByteArrayInputStream(body),
        baseUrl,
        true);
  }

  private static String stripAngles(String id) {
    String s = id.trim();
    if (s.startsWith("<") && s.endsWith(">")) {
      s = s.substring(1, s.length() - 1);
    }
    return s;
  }
}
