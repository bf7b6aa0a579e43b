package io.beamtrain.pipelines.study;

/**
 * A study spec that cannot run. The message starts with the offending field's path in the spec,
 * e.g. {@code parameters[1].min: 5.0 is greater than max 2.0}, preceded by the file when known.
 */
public class InvalidStudyException extends IllegalArgumentException {
  private final String field;

  public InvalidStudyException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  private InvalidStudyException(String source, InvalidStudyException cause) {
    super(source + ": " + cause.getMessage(), cause);
    this.field = cause.field;
  }

  /** The path of the offending field, e.g. {@code parameters[1].min}; {@code <root>} for the whole spec. */
  public String field() {
    return field;
  }

  /** The same error with the spec's file name in front. */
  public InvalidStudyException inSource(String source) {
    return new InvalidStudyException(source, this);
  }
}
