package io.beamtrain.pipelines;

/**
 * A command line or input the user must fix (exit status 2). The message names the flag, file or
 * field, and is printed on one line without a stack trace.
 */
public class UsageException extends IllegalArgumentException {
  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
