package io.beamtrain.checkpointing.testing;

import java.util.Map;

/**
 * GCS's generation and metageneration preconditions, as documented for the JSON API: a missing
 * object has generation 0, so {@code ifGenerationMatch=0} means "only if it does not exist" and
 * {@code ifGenerationNotMatch=0} means "only if it exists"; {@code ifMetagenerationMatch} fails on
 * a missing object. A failed condition is 412, except that the {@code NotMatch} conditions on a
 * read (GET) answer 304 Not Modified.
 */
record Preconditions(
    Long ifGenerationMatch,
    Long ifGenerationNotMatch,
    Long ifMetagenerationMatch,
    Long ifMetagenerationNotMatch) {

  static final Preconditions NONE = new Preconditions(null, null, null, null);

  static Preconditions fromQuery(Map<String, String> query) {
    return fromQuery(query, "");
  }

  /** Reads {@code if<Source>GenerationMatch} etc.; {@code source} is "" or "Source". */
  static Preconditions fromQuery(Map<String, String> query, String source) {
    return new Preconditions(
        longParam(query, "if" + source + "GenerationMatch"),
        longParam(query, "if" + source + "GenerationNotMatch"),
        longParam(query, "if" + source + "MetagenerationMatch"),
        longParam(query, "if" + source + "MetagenerationNotMatch"));
  }

  /** Throws 412 (or 304 for a read's NotMatch conditions) unless {@code current} satisfies all. */
  void check(StoredObject current, boolean read) {
    long generation = current == null ? 0 : current.generation();
    if (ifGenerationMatch != null && generation != ifGenerationMatch) {
      throw GcsError.preconditionFailed();
    }
    if (ifMetagenerationMatch != null
        && (current == null || current.metageneration() != ifMetagenerationMatch)) {
      throw GcsError.preconditionFailed();
    }
    if (ifGenerationNotMatch != null && generation == ifGenerationNotMatch) {
      throw read ? GcsError.notModified() : GcsError.preconditionFailed();
    }
    if (ifMetagenerationNotMatch != null
        && current != null
        && current.metageneration() == ifMetagenerationNotMatch) {
      throw read ? GcsError.notModified() : GcsError.preconditionFailed();
    }
  }

  static Long longParam(Map<String, String> query, String name) {
    String v = query.get(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw GcsError.invalid("Invalid value for " + name + ": " + v);
    }
  }
}
