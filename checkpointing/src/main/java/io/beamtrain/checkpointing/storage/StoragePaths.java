package io.beamtrain.checkpointing.storage;

/** String operations on storage paths; they never touch the storage itself. */
public final class StoragePaths {
  public static final String GCS_SCHEME = "gs://";

  private StoragePaths() {}

  public static boolean isGcs(String path) {
    return path.startsWith(GCS_SCHEME);
  }

  /** Joins path parts with exactly one {@code /} between them: {@code join("gs://b/x/", "y")}. */
  public static String join(String base, String... parts) {
    StringBuilder out = new StringBuilder(base);
    for (String part : parts) {
      if (part.isEmpty()) {
        continue;
      }
      boolean endsWithSlash = out.length() > 0 && out.charAt(out.length() - 1) == '/';
      boolean startsWithSlash = part.charAt(0) == '/';
      if (endsWithSlash && startsWithSlash) {
        out.append(part, 1, part.length());
      } else if (endsWithSlash || startsWithSlash || out.length() == 0) {
        out.append(part);
      } else {
        out.append('/').append(part);
      }
    }
    return out.toString();
  }

  /** The last path segment: {@code fileName("gs://b/a/model.ckpt-5.index")} is {@code model.ckpt-5.index}. */
  public static String fileName(String path) {
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  /** Everything before the last segment, without the trailing slash. */
  public static String parent(String path) {
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    int slash = trimmed.lastIndexOf('/');
    if (slash < 0 || (isGcs(trimmed) && slash < GCS_SCHEME.length())) {
      throw new StorageException(StorageException.Kind.INVALID_PATH, path, "has no parent");
    }
    return trimmed.substring(0, slash);
  }

  /** The path with a trailing {@code /}, for use as a listing prefix. */
  public static String asPrefix(String directory) {
    return directory.endsWith("/") ? directory : directory + "/";
  }
}
