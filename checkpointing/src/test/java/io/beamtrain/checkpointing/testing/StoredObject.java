package io.beamtrain.checkpointing.testing;

import java.time.Instant;

/**
 * One live object generation. Immutable: a write or PATCH replaces the record.
 *
 * @param md5 base64 MD5, null for composite objects (as on GCS)
 * @param componentCount null unless the object was composed
 */
record StoredObject(
    String bucket,
    String name,
    long generation,
    long metageneration,
    ObjectContent content,
    ObjectAttributes attributes,
    String md5,
    String crc32c,
    Instant created,
    Instant updated,
    Integer componentCount) {

  long size() {
    return content.size();
  }

  String etag() {
    return "CK" + Long.toHexString(generation) + "-" + metageneration;
  }
}
