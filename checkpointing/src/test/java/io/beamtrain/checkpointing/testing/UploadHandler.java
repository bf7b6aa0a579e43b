package io.beamtrain.checkpointing.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /upload/storage/v1/b/{bucket}/o}: simple media uploads, multipart/related uploads (JSON
 * resource + media) and resumable sessions, as documented in "Uploads and downloads" of the JSON
 * API. The preconditions of a resumable session are given when it starts and checked, atomically
 * with the write, when it is finalized (as GCS does); metadata hashes ({@code md5Hash}, {@code
 * crc32c}) sent by the client are verified.
 */
final class UploadHandler {
  private static final int UNKNOWN_LENGTH_BLOCK = 8 << 20;

  private final ObjectStore store;
  private final Map<String, ResumableSession> sessions = new ConcurrentHashMap<>();

  UploadHandler(ObjectStore store) {
    this.store = store;
  }

  /** Sessions neither finalized nor cancelled. */
  int openSessions() {
    return (int)
        sessions.values().stream()
            .filter(
                s -> {
                  synchronized (s) {
                    return s.state() == ResumableSession.State.OPEN;
                  }
                })
            .count();
  }

  ResumableSession session(String uploadId) {
    return sessions.get(uploadId);
  }

  GcsResponse handle(GcsRequest req, String bucket) throws IOException {
    String uploadId = req.param("upload_id");
    if (uploadId != null) {
      return continueResumable(req, uploadId);
    }
    if (!req.method().equals("POST")) {
      req.drainBody();
      throw GcsError.invalid("Uploads start with POST, got " + req.method());
    }
    String uploadType = req.param("uploadType");
    if (uploadType == null) {
      req.drainBody();
      throw GcsError.invalid("Missing uploadType parameter");
    }
    return switch (uploadType) {
      case "media" -> media(req, bucket);
      case "multipart" -> multipart(req, bucket);
      case "resumable" -> startResumable(req, bucket);
      default -> {
        req.drainBody();
        throw GcsError.invalid("Unknown uploadType: " + uploadType);
      }
    };
  }

  private GcsResponse media(GcsRequest req, String bucket) throws IOException {
    String name = req.param("name");
    if (name == null) {
      req.drainBody();
      throw GcsError.invalid("Required parameter: name");
    }
    ObjectContent content = readWholeBody(req);
    ObjectAttributes attrs = ObjectAttributes.fromResource(null, req.header("Content-Type"));
    return commit(req, bucket, name, content, attrs, null, null);
  }

  private GcsResponse multipart(GcsRequest req, String bucket) throws IOException {
    String boundary = Multipart.boundary(req.header("Content-Type"));
    byte[] body;
    try {
      body = req.readBody();
    } catch (IOException e) {
      throw new ConnectionDropped("multipart upload body broke off", e);
    }
    List<Multipart.Part> parts = Multipart.parse(body, boundary);
    if (parts.size() != 2) {
      throw GcsError.invalid(
          "A multipart upload has 2 parts (metadata, media), got " + parts.size());
    }
    JsonNode resource = parseJson(parts.get(0).text());
    Multipart.Part media = parts.get(1);
    String name = req.param("name") != null ? req.param("name") : text(resource, "name");
    if (name == null) {
      throw GcsError.invalid("Required object name (in the resource or the name parameter)");
    }
    ObjectContent content =
        ObjectContent.of(
            List.of(new ObjectContent.Slice(media.source(), media.offset(), media.length())));
    ObjectAttributes attrs =
        ObjectAttributes.fromResource(resource, media.headers().get("Content-Type"));
    return commit(
        req, bucket, name, content, attrs, text(resource, "md5Hash"), text(resource, "crc32c"));
  }

  private GcsResponse commit(
      GcsRequest req,
      String bucket,
      String name,
      ObjectContent content,
      ObjectAttributes attrs,
      String expectedMd5,
      String expectedCrc32c) {
    String md5 = content.md5Base64();
    String crc = content.crc32cBase64();
    verifyHashes(expectedMd5, md5, expectedCrc32c, crc);
    StoredObject o =
        store.commit(
            bucket, name, content, attrs, md5, crc, null, Preconditions.fromQuery(req.query()));
    return GcsResponse.json(200, ObjectJson.object(o, req.baseUrl()));
  }

  private GcsResponse startResumable(GcsRequest req, String bucket) throws IOException {
    byte[] body = req.readBody();
    JsonNode resource =
        body.length == 0
            ? null
            : parseJson(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    String name = req.param("name") != null ? req.param("name") : text(resource, "name");
    if (name == null) {
      throw GcsError.invalid("Required object name (in the resource or the name parameter)");
    }
    ObjectStore.validateName(name);
    // GCS takes the preconditions with the session but checks them only when it is finalized: an
    // initiation whose precondition does not hold (yet) still gets a session.
    Preconditions pre = Preconditions.fromQuery(req.query());
    String declared = req.header("X-Upload-Content-Length");
    String id = UUID.randomUUID().toString().replace("-", "");
    ResumableSession s =
        new ResumableSession(
            id,
            bucket,
            name,
            ObjectAttributes.fromResource(resource, req.header("X-Upload-Content-Type")),
            pre,
            declared == null || declared.isBlank() ? -1 : Long.parseLong(declared.trim()),
            text(resource, "md5Hash"),
            text(resource, "crc32c"));
    sessions.put(id, s);
    // Like GCS, the session URI repeats the initiation's query (preconditions included) and adds
    // upload_id; the object name is added when it only came in the body, so fault rules can
    // match chunks by object name.
    String query = req.rawQuery() == null ? "" : req.rawQuery();
    if (req.param("name") == null) {
      query = (query.isEmpty() ? "" : query + "&") + "name=" + ObjectJson.encode(name);
    }
    String location = req.baseUrl() + req.rawPath() + "?" + query + "&upload_id=" + id;
    return GcsResponse.empty(200).header("Location", location).header("X-GUploader-UploadID", id);
  }

  private GcsResponse continueResumable(GcsRequest req, String uploadId) throws IOException {
    ResumableSession s = sessions.get(uploadId);
    if (s == null) {
      req.drainBody();
      throw new GcsError(404, "notFound", "No such upload session: " + uploadId);
    }
    if (req.method().equals("DELETE")) {
      synchronized (s) {
        s.cancel();
      }
      return GcsResponse.empty(499);
    }
    if (!req.method().equals("PUT") && !req.method().equals("POST")) {
      req.drainBody();
      throw GcsError.invalid("Resumable upload chunks use PUT, got " + req.method());
    }
    synchronized (s) {
      switch (s.state()) {
        case COMPLETED -> {
          req.drainBody();
          return GcsResponse.json(200, ObjectJson.object(s.result(), req.baseUrl()));
        }
        case CANCELLED -> {
          req.drainBody();
          throw new GcsError(410, "gone", "The upload session was cancelled.");
        }
        case FAILED -> {
          req.drainBody();
          throw s.failure();
        }
        case OPEN -> {
          return putChunk(req, s);
        }
        default -> throw new IllegalStateException(s.state().name());
      }
    }
  }

  private GcsResponse putChunk(GcsRequest req, ResumableSession s) throws IOException {
    ContentRange range = ContentRange.parse(req.header("Content-Range"));
    if (range == null) {
      // A single request carrying the whole object.
      long len = req.contentLength();
      range =
          len > 0 ? new ContentRange(0, len - 1, len) : new ContentRange(-1, -1, len < 0 ? -1 : 0);
    }
    if (!range.hasBytes()) {
      req.drainBody();
      if (range.totalKnown()) {
        if (range.total() == s.persisted()) {
          return finish(req, s);
        }
        if (range.total() < s.persisted()) {
          throw GcsError.invalid(
              "Content-Range total "
                  + range.total()
                  + " is less than the "
                  + s.persisted()
                  + " bytes already uploaded");
        }
      }
      return incomplete(s);
    }
    if (range.first() > s.persisted()) {
      req.drainBody();
      return GcsResponse.text(
          503,
          "Invalid request.  According to the Content-Range header, the upload offset is "
              + range.first()
              + " byte(s), which exceeds already uploaded size of "
              + s.persisted()
              + " byte(s).");
    }
    if (req.contentLength() >= 0 && req.contentLength() != range.length()) {
      req.drainBody();
      throw GcsError.invalid(
          "Content-Range covers "
              + range.length()
              + " bytes but the body has "
              + req.contentLength());
    }
    boolean isFinal = range.totalKnown() && range.last() + 1 == range.total();
    long alreadyHave = s.persisted() - range.first();
    InputStream body = req.body();
    skipFully(body, alreadyHave);
    long fresh = range.length() - alreadyHave;
    if (fresh > Integer.MAX_VALUE - 8) {
      throw GcsError.invalid("GcsTestServer takes chunks of at most 2 GB");
    }
    byte[] chunk = new byte[(int) fresh];
    int got = 0;
    try {
      while (got < chunk.length) {
        int n = body.read(chunk, got, chunk.length - got);
        if (n < 0) {
          break;
        }
        got += n;
      }
    } catch (IOException e) {
      s.append(chunk, 0, (int) s.alignedPersistable(got));
      throw new ConnectionDropped("resumable chunk broke off after " + got + " bytes", e);
    }
    if (got < chunk.length) {
      s.append(chunk, 0, (int) s.alignedPersistable(got));
      throw new ConnectionDropped("resumable chunk ended early after " + got + " bytes", null);
    }
    if (isFinal) {
      s.append(chunk, 0, got);
      return finish(req, s);
    }
    s.append(chunk, 0, (int) s.alignedPersistable(got));
    return incomplete(s);
  }

  private GcsResponse finish(GcsRequest req, ResumableSession s) {
    try {
      if (s.declaredLength >= 0 && s.declaredLength != s.persisted()) {
        throw GcsError.invalid(
            "X-Upload-Content-Length was "
                + s.declaredLength
                + " but "
                + s.persisted()
                + " bytes were uploaded");
      }
      String md5 = s.md5Base64();
      String crc = s.crc32cBase64();
      verifyHashes(s.expectedMd5, md5, s.expectedCrc32c, crc);
      StoredObject o =
          store.commit(
              s.bucket, s.name, s.content(), s.attributes, md5, crc, null, s.preconditions);
      s.complete(o);
      return GcsResponse.json(200, ObjectJson.object(o, req.baseUrl()));
    } catch (GcsError e) {
      s.fail(e);
      throw e;
    }
  }

  private static GcsResponse incomplete(ResumableSession s) {
    GcsResponse r = GcsResponse.empty(308);
    if (s.persisted() > 0) {
      r.header("Range", "bytes=0-" + (s.persisted() - 1));
    }
    return r;
  }

  private static ObjectContent readWholeBody(GcsRequest req) {
    InputStream body = req.body();
    try {
      long len = req.contentLength();
      if (len >= 0) {
        byte[] all = new byte[(int) len];
        int got = body.readNBytes(all, 0, all.length);
        if (got < all.length) {
          throw new ConnectionDropped(
              "upload body ended after " + got + " of " + len + " bytes", null);
        }
        return ObjectContent.of(all);
      }
      List<ObjectContent.Slice> blocks = new ArrayList<>();
      while (true) {
        byte[] block = body.readNBytes(UNKNOWN_LENGTH_BLOCK);
        if (block.length == 0) {
          break;
        }
        blocks.add(new ObjectContent.Slice(block, 0, block.length));
      }
      return ObjectContent.of(blocks);
    } catch (IOException e) {
      throw new ConnectionDropped("upload body broke off", e);
    }
  }

  private static void skipFully(InputStream in, long n) throws IOException {
    long left = n;
    byte[] sink = new byte[(int) Math.min(64 * 1024, Math.max(1, n))];
    while (left > 0) {
      int r = in.read(sink, 0, (int) Math.min(sink.length, left));
      if (r < 0) {
        throw new ConnectionDropped("resumable chunk ended while skipping known bytes", null);
      }
      left -= r;
    }
  }

  static void verifyHashes(String expectedMd5, String md5, String expectedCrc, String crc) {
    if (expectedMd5 != null && !expectedMd5.equals(md5)) {
      throw GcsError.invalid(
          "Provided MD5 hash \""
              + expectedMd5
              + "\" doesn't match calculated MD5 hash \""
              + md5
              + "\".");
    }
    if (expectedCrc != null && !expectedCrc.equals(crc)) {
      throw GcsError.invalid(
          "Provided CRC32C \""
              + expectedCrc
              + "\" doesn't match calculated CRC32C \""
              + crc
              + "\".");
    }
  }

  /**
   * The object name of a multipart upload request whose name is only in its JSON part (as the
   * google-cloud-storage client sends them), or null.
   */
  static String multipartObjectName(byte[] body, String contentType) {
    try {
      List<Multipart.Part> parts = Multipart.parse(body, Multipart.boundary(contentType));
      return parts.isEmpty() ? null : text(parseJson(parts.get(0).text()), "name");
    } catch (GcsError e) {
      return null;
    }
  }

  static JsonNode parseJson(String text) {
    try {
      return GcsResponse.JSON.readTree(text);
    } catch (IOException e) {
      throw GcsError.invalid("Invalid JSON: " + e.getMessage());
    }
  }

  static String text(JsonNode node, String field) {
    if (node == null) {
      return null;
    }
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
