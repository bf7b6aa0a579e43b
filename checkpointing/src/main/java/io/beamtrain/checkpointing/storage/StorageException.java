package io.beamtrain.checkpointing.storage;

/** The one exception type for storage failures; the message always names the path. */
public class StorageException extends RuntimeException {

  /** What went wrong, for callers that react differently (e.g. fall back when NOT_FOUND). */
  public enum Kind {
    /** The object does not exist. */
    NOT_FOUND,
    /**
     * The bucket of a gs:// path does not exist: a configuration error, never to be taken for "no
     * object yet".
     */
    BUCKET_NOT_FOUND,
    /** HTTP 401/403, or a local file permission problem. */
    PERMISSION_DENIED,
    /** Another writer changed the object (HTTP 412). */
    PRECONDITION_FAILED,
    /** The backend could not be reached or kept failing after retries. */
    UNAVAILABLE,
    INVALID_PATH,
    OTHER
  }

  private final String path;
  private final Kind kind;

  public StorageException(Kind kind, String path, String message, Throwable cause) {
    super(path + ": " + message, cause);
    this.kind = kind;
    this.path = path;
  }

  public StorageException(Kind kind, String path, String message) {
    this(kind, path, message, null);
  }

  public String path() {
    return path;
  }

  public Kind kind() {
    return kind;
  }
}
