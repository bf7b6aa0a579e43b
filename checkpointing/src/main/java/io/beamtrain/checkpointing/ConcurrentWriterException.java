package io.beamtrain.checkpointing;

/**
 * Another writer changed a checkpoint directory's {@code checkpoint} state file after this manager
 * last read or wrote it: the compare-and-set on the file's generation was lost. Only one writer
 * may own a directory; this one stops rather than overwrite the other's commits.
 */
public class ConcurrentWriterException extends CheckpointException {
  public ConcurrentWriterException(String message) {
    super(message);
  }
}
