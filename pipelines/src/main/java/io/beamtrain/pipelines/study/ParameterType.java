package io.beamtrain.pipelines.study;

/** Kinds of search parameters, as in Vertex AI's {@code ParameterSpec}. */
public enum ParameterType {
  /** A real number in {@code [min, max]}. */
  DOUBLE,
  /** An integer in {@code [min, max]}, both inclusive. */
  INTEGER,
  /** One of a list of numbers. */
  DISCRETE,
  /** One of a list of strings. */
  CATEGORICAL;

  /** Whether the parameter is given by {@code min}/{@code max} rather than {@code values}. */
  public boolean isRange() {
    return this == DOUBLE || this == INTEGER;
  }
}
