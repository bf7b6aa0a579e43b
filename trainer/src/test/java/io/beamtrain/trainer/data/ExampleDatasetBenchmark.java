package io.beamtrain.trainer.data;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load speed of a flights-200k-sized split (200k rows, 3 numeric columns, regression): the full
 * {@link ExampleDataset#load} (GZIP inflate, framing + CRCs, tf.Example wire decoding and
 * validation, dense encoding) beside two baselines in the same run -- only inflating and framing
 * the same shards, and that plus the protobuf-java {@code Example.parseFrom} path the wire
 * decoder replaces -- and a streaming pass through {@link StreamingBatchSource}. Prints figures; asserts
 * nothing about time.
 */
@Tag("benchmark")
class ExampleDatasetBenchmark {
  static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path dir;

  @Test
  void loadFlightsSized() {
    long t0 = System.nanoTime();
    DataDirFixture.syntheticRegression(200_000, 3, 1).evalFraction(0).shards(4, 1).write(dir);
    report("write data dir (fixture)", 200_000, System.nanoTime() - t0);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), CONFIG);

    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      long records = 0;
      for (String file : dataset.files(Split.TRAIN)) {
        try (TfRecordReader reader = TfRecords.openReader(file, CONFIG)) {
          while (reader.next() != null) {
            records++;
          }
        }
      }
      report("baseline: inflate + frame only", records, System.nanoTime() - start);

      start = System.nanoTime();
      long parsed = 0;
      Examples examples = dataset.examples();
      for (String file : dataset.files(Split.TRAIN)) {
        try (TfRecordReader reader = TfRecords.openReader(file, CONFIG)) {
          for (byte[] r = reader.next(); r != null; r = reader.next()) {
            examples.decode(parseExample(r), file, parsed++);
          }
        }
      }
      report("baseline: + Example.parseFrom, decode", parsed, System.nanoTime() - start);

      start = System.nanoTime();
      DenseData data = dataset.load(Split.TRAIN);
      report("ExampleDataset.load (in memory)", data.n(), System.nanoTime() - start);

      start = System.nanoTime();
      try (StreamingBatchSource stream =
          new StreamingBatchSource(dataset, Split.TRAIN, 256, 7, 10_000)) {
        Batch batch = stream.newBatch();
        long steps = data.n() / 256;
        for (long s = 0; s < steps; s++) {
          stream.fill(s, batch);
        }
        report("StreamingBatchSource, one epoch", steps * 256, System.nanoTime() - start);
      }
    }
  }

  private static org.tensorflow.proto.Example parseExample(byte[] record) {
    try {
      return org.tensorflow.proto.Example.parseFrom(record);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void report(String what, long rows, long nanos) {
    System.out.printf(
        Locale.ROOT,
        "%-36s %,9d rows in %7.1f ms = %,12.0f rows/s%n",
        what,
        rows,
        nanos / 1e6,
        rows / (nanos / 1e9));
  }
}
