package io.beamtrain.checkpointing;

/**
 * A SavedModel that TensorFlow cannot load: {@link #file()} is the file at fault, relative to the
 * model directory ({@code saved_model.pb}, {@code variables/variables.data-00000-of-00001}, ...),
 * or null when TensorFlow's error points at no file; {@link #reason()} is TensorFlow's error on
 * one line. The message is {@code <dir>/<file>: <reason>}.
 */
public final class UnreadableSavedModelException extends RuntimeException {
  private final String file;
  private final String reason;

  UnreadableSavedModelException(String dir, String file, String reason, Throwable cause) {
    super((file == null ? dir : dir + "/" + file) + ": " + reason, cause);
    this.file = file;
    this.reason = reason;
  }

  /** The file TensorFlow could not read, relative to the model directory; null if unknown. */
  public String file() {
    return file;
  }

  /** Why, on one line. */
  public String reason() {
    return reason;
  }
}
