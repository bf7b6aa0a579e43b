package io.beamtrain.trainer.data;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.trainer.BadInputException;
import java.util.List;

/**
 * Reads the decoded rows of a list of TFRecord shards one after another, remembering which file
 * and record each row came from (for error messages). Not thread-safe; close it to release the
 * open shard.
 */
final class SplitReader implements AutoCloseable {
  private final List<String> files;
  private final Examples examples;
  private final StorageConfig config;
  private int fileIndex = -1;
  private TfRecordReader reader;
  private RawRow row;
  private long recordIndex;

  SplitReader(List<String> files, Examples examples, StorageConfig config) {
    this.files = List.copyOf(files);
    this.examples = examples;
    this.config = config;
  }

  /** Advances to the next row; false after the last row of the last file. */
  boolean next() {
    while (true) {
      if (reader == null) {
        if (fileIndex + 1 >= files.size()) {
          row = null;
          return false;
        }
        fileIndex++;
        reader = open(files.get(fileIndex));
      }
      recordIndex = reader.index();
      byte[] record = reader.next();
      if (record != null) {
        row = examples.decode(record, reader.source(), recordIndex);
        return true;
      }
      reader.close();
      reader = null;
    }
  }

  RawRow row() {
    return row;
  }

  /** The file the current row came from. */
  String file() {
    return files.get(fileIndex);
  }

  /** The current row's record index within its file. */
  long recordIndex() {
    return recordIndex;
  }

  /** "file: record i", for messages about the current row. */
  String where() {
    return file() + ": record " + recordIndex;
  }

  private TfRecordReader open(String file) {
    try {
      return TfRecords.openReader(file, config);
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        throw new BadInputException(
            file + ": listed in " + TransformSpec.FILE_NAME + " but does not exist", e);
      }
      throw e;
    }
  }

  @Override
  public void close() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
