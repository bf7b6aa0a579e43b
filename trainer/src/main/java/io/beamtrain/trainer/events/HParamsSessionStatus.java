package io.beamtrain.trainer.events;

import io.beamtrain.trainer.TrialStatus;

/**
 * How a session (a trial) ended, TensorBoard's {@code tensorboard.hparams.Status} (enum numbers as
 * in {@code tensorboard/plugins/hparams/api.proto}). The HParams dashboard filters sessions by it.
 */
public enum HParamsSessionStatus {
  UNKNOWN(0),
  SUCCESS(1),
  FAILURE(2),
  RUNNING(3);

  private final int number;

  HParamsSessionStatus(int number) {
    this.number = number;
  }

  /** The enum value on the wire. */
  public int number() {
    return number;
  }

  /**
   * The dashboard status of a trial: COMPLETED and STOPPED (early stopping is a normal end with a
   * usable model) are SUCCESS, DIVERGED and FAILED are FAILURE, RUNNING stays RUNNING.
   */
  public static HParamsSessionStatus of(TrialStatus status) {
    return switch (status) {
      case COMPLETED, STOPPED -> SUCCESS;
      case DIVERGED, FAILED -> FAILURE;
      case RUNNING -> RUNNING;
    };
  }
}
