package io.beamtrain.trainer.data;

import java.util.List;

/** The two splits the preprocess pipeline writes; {@link #fileName()} is the shard name prefix. */
public enum Split {
  TRAIN("train"),
  EVAL("eval");

  private final String fileName;

  Split(String fileName) {
    this.fileName = fileName;
  }

  /** {@code train} or {@code eval}: the shard name prefix and the name used in messages. */
  public String fileName() {
    return fileName;
  }

  /** The split's shard files, relative to the data directory, as transform.json lists them. */
  public List<String> files(TransformSpec spec) {
    List<String> files = this == TRAIN ? spec.split().trainFiles() : spec.split().evalFiles();
    return files == null ? List.of() : files;
  }

  /** The split's example count as transform.json records it. */
  public long examples(TransformSpec spec) {
    return this == TRAIN ? spec.split().trainExamples() : spec.split().evalExamples();
  }
}
