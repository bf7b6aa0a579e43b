package io.beamtrain.checkpointing.storage;

/**
 * A {@code gs://bucket/object} path split into bucket and object name. The object name is taken
 * verbatim (GCS names may contain any character except CR/LF); only the bucket is validated here.
 *
 * @param bucket bucket name
 * @param name object name, or the listing prefix; may be empty for a prefix
 */
record GcsPath(String bucket, String name) {

  /** Parses an object path; the object name must not be empty. */
  static GcsPath object(String path) {
    GcsPath p = parse(path);
    if (p.name.isEmpty() || p.name.endsWith("/")) {
      throw new StorageException(
          StorageException.Kind.INVALID_PATH,
          path,
          "not an object path: expected gs://<bucket>/<object name>, with a name not ending in"
              + " '/'");
    }
    return p;
  }

  /**
   * Parses a listing prefix: {@code gs://bucket}, {@code gs://bucket/} or {@code gs://bucket/p}.
   */
  static GcsPath prefix(String path) {
    return parse(path);
  }

  private static GcsPath parse(String path) {
    if (path == null || !StoragePaths.isGcs(path)) {
      throw new StorageException(
          StorageException.Kind.INVALID_PATH, String.valueOf(path), "not a gs:// path");
    }
    String rest = path.substring(StoragePaths.GCS_SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String name = slash < 0 ? "" : rest.substring(slash + 1);
    if (!validBucket(bucket)) {
      throw new StorageException(
          StorageException.Kind.INVALID_PATH,
          path,
          "invalid bucket name '"
              + bucket
              + "': 3-222 characters of a-z, 0-9, '-', '_' and '.', starting and ending with a"
              + " letter or digit");
    }
    return new GcsPath(bucket, name);
  }

  /** GCS bucket naming rules (length and characters). */
  private static boolean validBucket(String b) {
    if (b.length() < 3 || b.length() > 222) {
      return false;
    }
    for (int i = 0; i < b.length(); i++) {
      char c = b.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return Character.isLetterOrDigit(b.charAt(0))
        && Character.isLetterOrDigit(b.charAt(b.length() - 1));
  }

  String uri() {
    return StoragePaths.GCS_SCHEME + bucket + "/" + name;
  }
}
