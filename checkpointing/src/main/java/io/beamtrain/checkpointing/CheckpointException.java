package io.beamtrain.checkpointing;

/**
 * A checkpoint could not be saved, committed or restored. The message names the checkpoint or
 * directory and the reason; storage failures are attached as the cause.
 */
public class CheckpointException extends RuntimeException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
