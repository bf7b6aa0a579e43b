package io.beamtrain.checkpointing.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response: status, headers and a body of bytes or of a range of an object's content. */
final class GcsResponse {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String JSON_TYPE = "application/json; charset=UTF-8";

  private final int status;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private final byte[] bytes;
  private final ObjectContent content;
  private final long contentFrom;
  private final long contentLength;

  private GcsResponse(int status, byte[] bytes, ObjectContent content, long from, long length) {
    this.status = status;
    this.bytes = bytes;
    this.content = content;
    this.contentFrom = from;
    this.contentLength = length;
  }

  static GcsResponse empty(int status) {
    return new GcsResponse(status, new byte[0], null, 0, 0);
  }

  static GcsResponse json(int status, JsonNode body) {
    try {
      return bytes(status, JSON.writeValueAsBytes(body), JSON_TYPE);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  static GcsResponse bytes(int status, byte[] body, String contentType) {
    GcsResponse r = new GcsResponse(status, body, null, 0, body.length);
    r.header("Content-Type", contentType);
    return r;
  }

  static GcsResponse text(int status, String body) {
    return bytes(status, body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
  }

  static GcsResponse media(int status, ObjectContent content, long from, long length) {
    return new GcsResponse(status, null, content, from, length);
  }

  /** GCS's JSON error body; a 304 has no body at all. */
  static GcsResponse error(GcsError e) {
    if (e.status() == 304) {
      return empty(304);
    }
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", e.status());
    error.put("message", e.getMessage());
    ArrayNode errors = error.putArray("errors");
    ObjectNode detail = errors.addObject();
    detail.put("message", e.getMessage());
    detail.put("domain", "global");
    detail.put("reason", e.reason());
    if (e.status() == 412) {
      detail.put("locationType", "header");
      detail.put("location", "If-Match");
    }
    return json(e.status(), root);
  }

  GcsResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  int status() {
    return status;
  }

  Map<String, String> headers() {
    return headers;
  }

  long length() {
    return contentLength;
  }

  /** Writes at most {@code limit} bytes of the body; returns how many were written. */
  long writeBody(OutputStream out, long limit) throws IOException {
    long n = Math.min(limit, contentLength);
    if (bytes != null) {
      out.write(bytes, 0, (int) n);
      return n;
    }
    return content.writeTo(out, contentFrom, n);
  }

  /** The body as bytes (batch parts are small JSON documents). */
  byte[] bodyBytes() throws IOException {
    if (bytes != null) {
      return bytes;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) contentLength);
    content.writeTo(out, contentFrom, contentLength);
    return out.toByteArray();
  }

  static String reasonPhrase(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 304 -> "Not Modified";
      case 308 -> "Resume Incomplete";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 412 -> "Precondition Failed";
      case 416 -> "Requested Range Not Satisfiable";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Status " + status;
    };
  }
}
