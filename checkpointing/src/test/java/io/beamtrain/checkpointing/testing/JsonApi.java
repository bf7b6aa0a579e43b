package io.beamtrain.checkpointing.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes a request to the JSON API resource it names and carries it out against the {@link
 * ObjectStore}. Unknown routes and parameters that would change the meaning of a request but are
 * not modelled (e.g. {@code matchGlob}) answer 501, so a client relying on them fails loudly
 * instead of passing against a server that quietly ignored them.
 */
final class JsonApi {
  private static final Pattern UPLOAD = Pattern.compile("^/upload/storage/v1/b/([^/]+)/o/?$");
  private static final Pattern BUCKETS = Pattern.compile("^/storage/v1/b/?$");
  private static final Pattern BUCKET = Pattern.compile("^/storage/v1/b/([^/]+)/?$");
  private static final Pattern OBJECTS = Pattern.compile("^/storage/v1/b/([^/]+)/o/?$");
  private static final Pattern REWRITE =
      Pattern.compile("^/storage/v1/b/([^/]+)/o/(.+)/(rewriteTo|copyTo)/b/([^/]+)/o/(.+)$");
  private static final Pattern COMPOSE = Pattern.compile("^/storage/v1/b/([^/]+)/o/(.+)/compose$");
  private static final Pattern OBJECT = Pattern.compile("^/storage/v1/b/([^/]+)/o/(.+)$");
  private static final Pattern DOWNLOAD =
      Pattern.compile("^/download/storage/v1/b/([^/]+)/o/(.+)$");
  private static final int MAX_LIST_RESULTS = 1000;
  private static final int MAX_COMPOSE_SOURCES = 32;

  private final ObjectStore store;
  private final UploadHandler uploads;

  JsonApi(ObjectStore store, UploadHandler uploads) {
    this.store = store;
    this.uploads = uploads;
  }

  /** The object a request is about (for fault rules), or null. */
  static String objectNameOf(GcsRequest req) {
    String name = req.param("name");
    if (name != null) {
      return name;
    }
    String raw = req.rawPath();
    Matcher m = REWRITE.matcher(raw);
    if (m.matches()) {
      return GcsRequest.percentDecode(m.group(5));
    }
    m = COMPOSE.matcher(raw);
    if (m.matches()) {
      return GcsRequest.percentDecode(m.group(2));
    }
    m = OBJECT.matcher(raw);
    if (m.matches()) {
      return GcsRequest.percentDecode(m.group(2));
    }
    m = DOWNLOAD.matcher(raw);
    if (m.matches()) {
      return GcsRequest.percentDecode(m.group(2));
    }
    return null;
  }

  GcsResponse dispatch(GcsRequest req) throws IOException {
    String raw = req.rawPath();
    String method = req.method();
    Matcher m;
    if ((m = UPLOAD.matcher(raw)).matches()) {
      String bucket = GcsRequest.percentDecode(m.group(1));
      if (req.param("upload_id") == null) {
        store.bucket(bucket);
      }
      return uploads.handle(req, bucket);
    }
    if ((m = DOWNLOAD.matcher(raw)).matches() && method.equals("GET")) {
      return media(req, decode(m, 1), decode(m, 2));
    }
    if (BUCKETS.matcher(raw).matches() && method.equals("POST")) {
      return insertBucket(req);
    }
    if ((m = BUCKET.matcher(raw)).matches() && method.equals("GET")) {
      return GcsResponse.json(200, ObjectJson.bucket(store.bucket(decode(m, 1)), req.baseUrl()));
    }
    if ((m = OBJECTS.matcher(raw)).matches() && method.equals("GET")) {
      return list(req, decode(m, 1));
    }
    if ((m = REWRITE.matcher(raw)).matches() && method.equals("POST")) {
      return rewrite(req, decode(m, 1), decode(m, 2), m.group(3), decode(m, 4), decode(m, 5));
    }
    if ((m = COMPOSE.matcher(raw)).matches() && method.equals("POST")) {
      return compose(req, decode(m, 1), decode(m, 2));
    }
    if ((m = OBJECT.matcher(raw)).matches()) {
      String bucket = decode(m, 1);
      String name = decode(m, 2);
      switch (method) {
        case "GET":
          return "media".equals(req.param("alt"))
              ? media(req, bucket, name)
              : metadata(req, bucket, name);
        case "DELETE":
          store.delete(bucket, name, generationParam(req), Preconditions.fromQuery(req.query()));
          return GcsResponse.empty(204);
        case "PATCH":
          return patch(req, bucket, name);
        default:
          break;
      }
    }
    throw GcsError.notImplemented(method + " " + req.path());
  }

  private GcsResponse metadata(GcsRequest req, String bucket, String name) {
    StoredObject o = store.get(bucket, name, generationParam(req));
    Preconditions.fromQuery(req.query()).check(o, true);
    return GcsResponse.json(200, ObjectJson.object(o, req.baseUrl()));
  }

  private GcsResponse media(GcsRequest req, String bucket, String name) {
    StoredObject o = store.get(bucket, name, generationParam(req));
    Preconditions.fromQuery(req.query()).check(o, true);
    long size = o.size();
    long from = 0;
    long length = size;
    int status = 200;
    long[] range = parseRange(req.header("Range"), size);
    if (range != null) {
      if (range.length == 0) {
        return GcsResponse.error(
                new GcsError(
                    416,
                    "requestedRangeNotSatisfiable",
                    "The requested range cannot be satisfied."))
            .header("Content-Range", "bytes */" + size);
      }
      from = range[0];
      length = range[1] - range[0] + 1;
      status = 206;
    }
    GcsResponse r = GcsResponse.media(status, o.content(), from, length);
    r.header("Content-Type", o.attributes().contentType());
    if (status == 206) {
      r.header("Content-Range", "bytes " + from + "-" + (from + length - 1) + "/" + size);
    }
    if (o.attributes().contentEncoding() != null) {
      r.header("Content-Encoding", o.attributes().contentEncoding());
    }
    r.header("Accept-Ranges", "bytes");
    r.header("ETag", o.etag());
    r.header("x-goog-generation", Long.toString(o.generation()));
    r.header("x-goog-metageneration", Long.toString(o.metageneration()));
    r.header("x-goog-stored-content-length", Long.toString(size));
    r.header(
        "x-goog-stored-content-encoding",
        o.attributes().contentEncoding() == null ? "identity" : o.attributes().contentEncoding());
    r.header("x-goog-storage-class", "STANDARD");
    String hash = "crc32c=" + o.crc32c() + (o.md5() == null ? "" : ",md5=" + o.md5());
    r.header("x-goog-hash", hash);
    return r;
  }

  /**
   * A single byte range of RFC 7233 ({@code a-b}, {@code a-}, {@code -n}); null when absent or not
   * a single range (then the whole object is served); an empty array when not satisfiable.
   */
  static long[] parseRange(String header, long size) {
    if (header == null || !header.startsWith("bytes=") || header.contains(",")) {
      return null;
    }
    String spec = header.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0 || size == 0) {
      return null;
    }
    try {
      if (dash == 0) {
        long suffix = Long.parseLong(spec.substring(1));
        if (suffix == 0) {
          return new long[0];
        }
        return new long[] {Math.max(0, size - suffix), size - 1};
      }
      long first = Long.parseLong(spec.substring(0, dash));
      String lastText = spec.substring(dash + 1);
      long last = lastText.isEmpty() ? size - 1 : Math.min(Long.parseLong(lastText), size - 1);
      if (first >= size) {
        return new long[0];
      }
      if (last < first) {
        return null;
      }
      return new long[] {first, last};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private GcsResponse list(GcsRequest req, String bucket) {
    if (req.param("matchGlob") != null) {
      throw GcsError.notImplemented("objects.list with matchGlob");
    }
    int max = MAX_LIST_RESULTS;
    String maxText = req.param("maxResults");
    if (maxText != null) {
      try {
        max = Integer.parseInt(maxText);
      } catch (NumberFormatException e) {
        throw GcsError.invalid("Invalid value for maxResults: " + maxText);
      }
      if (max <= 0) {
        throw GcsError.invalid("Invalid value for maxResults: " + maxText);
      }
      max = Math.min(max, MAX_LIST_RESULTS);
    }
    ObjectStore.ListPage page =
        store.list(
            bucket,
            new ObjectStore.ListQuery(
                req.param("prefix"),
                req.param("delimiter"),
                max,
                emptyToNull(req.param("pageToken")),
                emptyToNull(req.param("startOffset")),
                emptyToNull(req.param("endOffset")),
                "true".equals(req.param("includeTrailingDelimiter"))));
    ObjectNode json = GcsResponse.JSON.createObjectNode();
    json.put("kind", "storage#objects");
    if (page.nextPageToken() != null) {
      json.put("nextPageToken", page.nextPageToken());
    }
    if (!page.prefixes().isEmpty()) {
      ArrayNode prefixes = json.putArray("prefixes");
      page.prefixes().forEach(prefixes::add);
    }
    if (!page.items().isEmpty()) {
      ArrayNode items = json.putArray("items");
      for (StoredObject o : page.items()) {
        items.add(ObjectJson.object(o, req.baseUrl()));
      }
    }
    return GcsResponse.json(200, json);
  }

  private GcsResponse rewrite(
      GcsRequest req,
      String srcBucket,
      String srcName,
      String kind,
      String dstBucket,
      String dstName)
      throws IOException {
    JsonNode resource = jsonBody(req);
    Long sourceGeneration = Preconditions.longParam(req.query(), "sourceGeneration");
    StoredObject src = store.get(srcBucket, srcName, sourceGeneration);
    Preconditions.fromQuery(req.query(), "Source").check(src, false);
    store.bucket(dstBucket);
    ObjectAttributes attrs =
        resource == null || resource.isEmpty()
            ? src.attributes()
            : ObjectAttributes.fromResource(resource, src.attributes().contentType());
    StoredObject dst =
        store.commit(
            dstBucket,
            dstName,
            src.content(),
            attrs,
            src.md5(),
            src.crc32c(),
            src.componentCount(),
            Preconditions.fromQuery(req.query()));
    ObjectNode object = ObjectJson.object(dst, req.baseUrl());
    if (kind.equals("copyTo")) {
      return GcsResponse.json(200, object);
    }
    ObjectNode json = GcsResponse.JSON.createObjectNode();
    json.put("kind", "storage#rewriteResponse");
    json.put("totalBytesRewritten", Long.toString(dst.size()));
    json.put("objectSize", Long.toString(dst.size()));
    json.put("done", true);
    json.set("resource", object);
    return GcsResponse.json(200, json);
  }

  private GcsResponse compose(GcsRequest req, String bucket, String dstName) throws IOException {
    JsonNode body = jsonBody(req);
    JsonNode sources = body == null ? null : body.get("sourceObjects");
    if (sources == null || !sources.isArray() || sources.isEmpty()) {
      throw GcsError.invalid("compose needs at least one entry in sourceObjects");
    }
    if (sources.size() > MAX_COMPOSE_SOURCES) {
      throw GcsError.invalid(
          "The number of source components provided ("
              + sources.size()
              + ") exceeds the maximum ("
              + MAX_COMPOSE_SOURCES
              + ")");
    }
    List<ObjectContent> parts = new ArrayList<>();
    int components = 0;
    for (JsonNode s : sources) {
      String name = UploadHandler.text(s, "name");
      if (name == null) {
        throw GcsError.invalid("sourceObjects entries need a name");
      }
      Long generation = s.hasNonNull("generation") ? s.get("generation").asLong() : null;
      StoredObject src = store.get(bucket, name, generation);
      JsonNode pre = s.get("objectPreconditions");
      if (pre != null
          && pre.hasNonNull("ifGenerationMatch")
          && pre.get("ifGenerationMatch").asLong() != src.generation()) {
        throw GcsError.preconditionFailed();
      }
      parts.add(src.content());
      components += src.componentCount() == null ? 1 : src.componentCount();
    }
    ObjectContent content = ObjectContent.concat(parts);
    JsonNode destination = body.get("destination");
    ObjectAttributes attrs = ObjectAttributes.fromResource(destination, null);
    StoredObject o =
        store.commit(
            bucket,
            dstName,
            content,
            attrs,
            null,
            content.crc32cBase64(),
            components,
            Preconditions.fromQuery(req.query()));
    return GcsResponse.json(200, ObjectJson.object(o, req.baseUrl()));
  }

  private GcsResponse patch(GcsRequest req, String bucket, String name) throws IOException {
    JsonNode body = jsonBody(req);
    if (body == null || !body.isObject()) {
      throw GcsError.invalid("PATCH needs a JSON object body");
    }
    StoredObject current = store.get(bucket, name, generationParam(req));
    StoredObject o =
        store.updateAttributes(
            bucket,
            name,
            current.generation(),
            current.attributes().patchedWith(body),
            Preconditions.fromQuery(req.query()));
    return GcsResponse.json(200, ObjectJson.object(o, req.baseUrl()));
  }

  private GcsResponse insertBucket(GcsRequest req) throws IOException {
    JsonNode body = jsonBody(req);
    String name = UploadHandler.text(body, "name");
    if (name == null || name.isBlank()) {
      throw GcsError.invalid("Bucket insert needs a name");
    }
    if (!store.createBucket(name)) {
      throw new GcsError(
          409,
          "conflict",
          "Your previous request to create the named bucket succeeded and you already own it.");
    }
    return GcsResponse.json(200, ObjectJson.bucket(store.bucket(name), req.baseUrl()));
  }

  private static JsonNode jsonBody(GcsRequest req) throws IOException {
    byte[] body = req.readBody();
    if (body.length == 0) {
      return null;
    }
    return UploadHandler.parseJson(new String(body, StandardCharsets.UTF_8));
  }

  private static Long generationParam(GcsRequest req) {
    return Preconditions.longParam(req.query(), "generation");
  }

  private static String decode(Matcher m, int group) {
    return GcsRequest.percentDecode(m.group(group));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
