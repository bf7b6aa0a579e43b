package io.beamtrain.trainer.events;

/**
 * The type of a hyperparameter's values, TensorBoard's {@code tensorboard.hparams.DataType} (enum
 * numbers as in {@code tensorboard/plugins/hparams/api.proto}).
 */
public enum HParamsDataType {
  UNSET(0),
  STRING(1),
  BOOL(2),
  FLOAT64(3);

  private final int number;

  HParamsDataType(int number) {
    this.number = number;
  }

  /** The enum value on the wire. */
  public int number() {
    return number;
  }

  /** The type of one value: booleans, numbers and everything else (as a string). */
  static HParamsDataType of(Object value) {
    if (value instanceof Boolean) {
      return BOOL;
    }
    if (value instanceof Number) {
      return FLOAT64;
    }
    return STRING;
  }
}
