package io.beamtrain.trainer;

/**
 * The input -- a data file, a record in it, a feature, a hyperparameter -- is not acceptable. The
 * message always names the offending thing (file and record index, feature, column, parameter),
 * so a user can fix the input without reading code. Retrying cannot help, which is how callers
 * tell it apart from an I/O or TensorFlow failure: the sweep records such a trial as FAILED and
 * the CLI exits with status 2.
 */
public class BadInputException extends RuntimeException {

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
