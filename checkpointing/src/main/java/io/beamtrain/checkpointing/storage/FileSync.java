package io.beamtrain.checkpointing.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * How {@link LocalStorage} forces what it wrote to the disk: a file's bytes, or a directory's
 * entries (a rename or a new name is durable only once its directory is). One seam for both, so a
 * test can record the order of the forces against the renames they must precede.
 */
interface FileSync {
  /** fsync: the file's data and metadata reach the disk before this returns. */
  void forceFile(Path file) throws IOException;

  /** fsync of a directory: the names created, renamed or linked in it reach the disk. */
  void forceDirectory(Path directory) throws IOException;

  /** The operating system's fsync, through {@link FileChannel#force}. */
  FileSync SYSTEM =
      new FileSync() {
        // Windows cannot open a directory as a channel; NTFS journals its metadata anyway, which
        // is why Lucene and others skip the directory fsync there.
        private final boolean directoriesSyncable =
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

        @Override
        public void forceFile(Path file) throws IOException {
          // Opened for writing: Windows flushes only handles with write access.
          try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
          }
        }

        @Override
        public void forceDirectory(Path directory) throws IOException {
          if (!directoriesSyncable) {
            return;
          }
          try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
          }
        }
      };
}
