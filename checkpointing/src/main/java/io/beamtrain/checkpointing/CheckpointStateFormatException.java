package io.beamtrain.checkpointing;

/**
 * A {@code checkpoint} state file that is not a valid CheckpointState text proto. The message
 * reads {@code <file>:<line>:<column>: <problem>}.
 */
public class CheckpointStateFormatException extends IllegalArgumentException {
  private final String file;
  private final int line;

  public CheckpointStateFormatException(String file, int line, int column, String problem) {
    super(file + ":" + line + ":" + column + ": " + problem);
    this.file = file;
    this.line = line;
  }

  public CheckpointStateFormatException(String file, String problem) {
    super(file + ": " + problem);
    this.file = file;
    this.line = 0;
  }

  /** The state file's path. */
  public String file() {
    return file;
  }

  /** 1-based line of the problem; 0 when it concerns the file as a whole. */
  public int line() {
    return line;
  }
}
