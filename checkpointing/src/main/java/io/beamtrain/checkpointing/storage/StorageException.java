package io.beamtrain.checkpointing.storage;

/** The one exception type for storage failures; the message always names the path. */
public class StorageException extends RuntimeException {

  /** What went wrong, for callers that react differently (e.g. fall back when NOT_FOUND). */
  public enum Kind {
    NOT_FOUND,
    PERMISSION_DENIED,
    PRECONDITION_FAILED,
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
