package io.beamtrain.checkpointing.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The writable metadata of an object: what an upload's JSON resource or a PATCH may set. Fields not
 * listed here (ACLs, retention, KMS) are ignored, as the test server does not model them.
 */
record ObjectAttributes(
    String contentType,
    String contentEncoding,
    String cacheControl,
    String contentDisposition,
    String contentLanguage,
    Map<String, String> metadata) {

  static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
  static final ObjectAttributes DEFAULTS =
      new ObjectAttributes(DEFAULT_CONTENT_TYPE, null, null, null, null, Map.of());

  ObjectAttributes {
    metadata = Map.copyOf(metadata);
  }

  /** Attributes from an object resource sent with an upload or rewrite. */
  static ObjectAttributes fromResource(JsonNode resource, String fallbackContentType) {
    String contentType = text(resource, "contentType");
    if (contentType == null) {
      contentType = fallbackContentType != null ? fallbackContentType : DEFAULT_CONTENT_TYPE;
    }
    Map<String, String> metadata = new TreeMap<>();
    JsonNode md = resource == null ? null : resource.get("metadata");
    if (md != null && md.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = md.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          metadata.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    return new ObjectAttributes(
        contentType,
        text(resource, "contentEncoding"),
        text(resource, "cacheControl"),
        text(resource, "contentDisposition"),
        text(resource, "contentLanguage"),
        metadata);
  }

  /** PATCH semantics: fields present replace, null removes, metadata keys merge (null deletes). */
  ObjectAttributes patchedWith(JsonNode patch) {
    Map<String, String> md = new TreeMap<>(metadata);
    JsonNode mdPatch = patch.get("metadata");
    if (mdPatch != null && mdPatch.isNull()) {
      md.clear();
    } else if (mdPatch != null && mdPatch.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = mdPatch.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) {
          md.remove(e.getKey());
        } else {
          md.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    String type = patched(patch, "contentType", contentType);
    return new ObjectAttributes(
        type == null ? DEFAULT_CONTENT_TYPE : type,
        patched(patch, "contentEncoding", contentEncoding),
        patched(patch, "cacheControl", cacheControl),
        patched(patch, "contentDisposition", contentDisposition),
        patched(patch, "contentLanguage", contentLanguage),
        md);
  }

  void writeTo(ObjectNode json) {
    json.put("contentType", contentType);
    putIfSet(json, "contentEncoding", contentEncoding);
    putIfSet(json, "cacheControl", cacheControl);
    putIfSet(json, "contentDisposition", contentDisposition);
    putIfSet(json, "contentLanguage", contentLanguage);
    if (!metadata.isEmpty()) {
      ObjectNode md = json.putObject("metadata");
      new LinkedHashMap<>(new TreeMap<>(metadata)).forEach(md::put);
    }
  }

  private static void putIfSet(ObjectNode json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  private static String patched(JsonNode patch, String field, String current) {
    JsonNode v = patch.get(field);
    if (v == null) {
      return current;
    }
    return v.isNull() ? null : v.asText();
  }

  private static String text(JsonNode node, String field) {
    if (node == null) {
      return null;
    }
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
