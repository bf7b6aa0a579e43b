package io.beamtrain.checkpointing;

/**
 * A SavedModel directory that TensorFlow cannot load: {@code saved_model.pb} missing, not a
 * SavedModel or without the requested tags, or variables it cannot restore (truncated or garbage
 * files). The message is one line, {@code <file>: <problem>}, naming the file(s) under the model
 * directory. A user's input, not a failure to retry: callers report it as such.
 */
public class InvalidSavedModelException extends IllegalArgumentException {
  private final String file;
  private final String problem;

  public InvalidSavedModelException(String file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** What is wrong with {@link #file()}, on one line. */
  public String problem() {
    return problem;
  }

  /** The damaged file (or the first of them), under the model directory as given. */
  public String file() {
    return file;
  }
}
