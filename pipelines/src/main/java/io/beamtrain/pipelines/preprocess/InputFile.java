package io.beamtrain.pipelines.preprocess;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * One input file, local or {@code gs://}, opened through Beam's {@link FileSystems}: as a stream of
 * its (decompressed) bytes for the formats read front to back (CSV, JSON Lines, Avro), or as a
 * seekable channel for Parquet, whose footer comes first.
 */
public interface InputFile {

  /** The file's full path, as error messages and rejected rows name it. */
  String name();

  /** The file's bytes from the start, decompressed when its name has a compression suffix. */
  InputStream stream() throws IOException;

  /** The file's raw bytes, seekable. */
  SeekableByteChannel seekable() throws IOException;

  /** A file matched by {@link FileIO}, as a worker gets it. */
  static InputFile of(FileIO.ReadableFile file) {
    return new InputFile() {
      @Override
      public String name() {
        return file.getMetadata().resourceId().toString();
      }

      @Override
      public InputStream stream() throws IOException {
        return Channels.newInputStream(file.open());
      }

      @Override
      public SeekableByteChannel seekable() throws IOException {
        return file.openSeekable();
      }
    };
  }

  /** A file matched while the pipeline is built; a file gone since is an error naming it. */
  static InputFile of(ResourceId file) {
    return new InputFile() {
      @Override
      public String name() {
        return file.toString();
      }

      @Override
      public InputStream stream() throws IOException {
        try {
          return Channels.newInputStream(
              Compression.detect(file.getFilename()).readDecompressed(FileSystems.open(file)));
        } catch (FileNotFoundException e) {
          throw new IllegalArgumentException(file + ": not found", e);
        }
      }

      @Override
      public SeekableByteChannel seekable() throws IOException {
        try {
          return (SeekableByteChannel) FileSystems.open(file);
        } catch (FileNotFoundException e) {
          throw new IllegalArgumentException(file + ": not found", e);
        }
      }
    };
  }
}
