package io.beamtrain.checkpointing.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The JSON resources of the API ({@code storage#object}, {@code storage#bucket}) with GCS's field
 * conventions: 64-bit numbers as strings, RFC 3339 times with milliseconds, base64 hashes.
 */
final class ObjectJson {
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ObjectJson() {}

  static ObjectNode object(StoredObject o, String baseUrl) {
    ObjectNode json = GcsResponse.JSON.createObjectNode();
    String encoded = encode(o.name());
    json.put("kind", "storage#object");
    json.put("id", o.bucket() + "/" + o.name() + "/" + o.generation());
    json.put("selfLink", baseUrl + "/storage/v1/b/" + encode(o.bucket()) + "/o/" + encoded);
    json.put(
        "mediaLink",
        baseUrl
            + "/download/storage/v1/b/"
            + encode(o.bucket())
            + "/o/"
            + encoded
            + "?generation="
            + o.generation()
            + "&alt=media");
    json.put("name", o.name());
    json.put("bucket", o.bucket());
    json.put("generation", Long.toString(o.generation()));
    json.put("metageneration", Long.toString(o.metageneration()));
    o.attributes().writeTo(json);
    json.put("storageClass", "STANDARD");
    json.put("size", Long.toString(o.size()));
    if (o.md5() != null) {
      json.put("md5Hash", o.md5());
    }
    json.put("crc32c", o.crc32c());
    if (o.componentCount() != null) {
      json.put("componentCount", o.componentCount());
    }
    json.put("etag", o.etag());
    json.put("timeCreated", time(o.created()));
    json.put("updated", time(o.updated()));
    json.put("timeStorageClassUpdated", time(o.created()));
    return json;
  }

  static ObjectNode bucket(ObjectStore.Bucket b, String baseUrl) {
    ObjectNode json = GcsResponse.JSON.createObjectNode();
    json.put("kind", "storage#bucket");
    json.put("selfLink", baseUrl + "/storage/v1/b/" + encode(b.name));
    json.put("id", b.name);
    json.put("name", b.name);
    json.put("projectNumber", "0");
    json.put("metageneration", "1");
    json.put("location", "US");
    json.put("locationType", "multi-region");
    json.put("storageClass", "STANDARD");
    json.put("etag", "CAE=");
    json.put("timeCreated", time(b.created));
    json.put("updated", time(b.created));
    return json;
  }

  static String time(Instant t) {
    return RFC3339.format(t);
  }

  static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
