package io.beamtrain.checkpointing.storage;

import com.google.cloud.BaseServiceException;
import java.time.Duration;
import java.util.Locale;

/**
 * Turns google-cloud-storage failures into {@link StorageException}s whose message says which
 * operation failed on which path and why, in words a user can act on.
 */
final class GcsErrors {
  private GcsErrors() {}

  /** The HTTP status in {@code t} or its causes, 0 when the failure was not an HTTP answer. */
  static int httpStatus(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BaseServiceException e && e.getCode() > 0) {
        return e.getCode();
      }
      if (c instanceof com.google.api.client.http.HttpResponseException e) {
        return e.getStatusCode();
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return 0;
  }

  /**
   * Converts a failure that is not a 404 (the caller resolves those, since only it can tell a
   * missing object from a missing bucket).
   */
  static StorageException convert(
      Throwable t, String path, String operation, Duration elapsed, StorageConfig config) {
    int status = httpStatus(t);
    String detail = detail(t);
    String bucket = bucketOf(path);
    switch (status) {
      case 401:
        return new StorageException(
            StorageException.Kind.PERMISSION_DENIED,
            path,
            operation
                + " failed: not authenticated (HTTP 401: "
                + detail
                + "). Provide Google"
                + " credentials (e.g. GOOGLE_APPLICATION_CREDENTIALS), or set noCredentials for a"
                + " test endpoint",
            t);
      case 403:
        return new StorageException(
            StorageException.Kind.PERMISSION_DENIED,
            path,
            operation
                + " failed: permission denied (HTTP 403: "
                + detail
                + "). The credentials"
                + " in use lack a storage permission on bucket '"
                + bucket
                + "'",
            t);
      case 412:
        return new StorageException(
            StorageException.Kind.PRECONDITION_FAILED,
            path,
            operation + " failed: the object was changed by another writer (HTTP 412)",
            t);
      case 0:
        break;
      default:
        if (status == 408 || status == 429 || status >= 500) {
          return new StorageException(
              StorageException.Kind.UNAVAILABLE,
              path,
              operation
                  + " failed: GCS answered HTTP "
                  + status
                  + " ("
                  + detail
                  + ") and kept"
                  + " failing for "
                  + seconds(elapsed)
                  + " of retrying (retry budget "
                  + seconds(config.retry().totalTimeout())
                  + ")",
              t);
        }
        return new StorageException(
            StorageException.Kind.OTHER,
            path,
            operation + " failed: GCS answered HTTP " + status + " (" + detail + ")",
            t);
    }
    if (FailFastRetryStrategy.isUnreachable(t)) {
      return new StorageException(
          StorageException.Kind.UNAVAILABLE,
          path,
          operation
              + " failed: cannot reach the GCS endpoint "
              + config.effectiveGcsEndpoint()
              + " ("
              + detail
              + "); not retried, as an endpoint that refuses or does not"
              + " answer connections is a configuration or network problem",
          t);
    }
    return new StorageException(
        StorageException.Kind.UNAVAILABLE,
        path,
        operation
            + " failed: connection to "
            + config.effectiveGcsEndpoint()
            + " failed ("
            + detail
            + ") after "
            + seconds(elapsed)
            + " of retrying",
        t);
  }

  /**
   * GCS's own error message when the failure was an HTTP answer, else the root cause (e.g. {@code
   * ConnectException: Connection refused}).
   */
  static String detail(Throwable t) {
    Throwable root = t;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BaseServiceException e && e.getCode() > 0 && e.getMessage() != null) {
        return oneLine(e.getMessage());
      }
      root = c;
      if (c.getCause() == c) {
        break;
      }
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + oneLine(m));
  }

  private static String oneLine(String m) {
    String first = m.strip().split("\\R", 2)[0];
    return first.length() > 300 ? first.substring(0, 300) + "..." : first;
  }

  private static String bucketOf(String path) {
    String rest = path.startsWith(StoragePaths.GCS_SCHEME) ? path.substring(5) : path;
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
