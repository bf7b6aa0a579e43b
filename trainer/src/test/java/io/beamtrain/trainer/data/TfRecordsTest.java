package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.data.TensorSliceDataset;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.io.ReaderReadUpTo;
import org.tensorflow.types.TString;

class TfRecordsTest {
  private static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path dir;

  @Test
  void maskedCrcMatchesTensorFlowsDefinition() {
    // CRC32C("123456789") is 0xE3069283 (RFC 3720 check value); TF masks it as
    // ((crc >>> 15) | (crc << 17)) + 0xa282ead8.
    int crc = 0xE3069283;
    int masked = ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(masked, TfRecords.maskedCrc32c(data, 0, data.length));
  }

  @ParameterizedTest
  @ValueSource(strings = {"part.tfrecord", "part.tfrecord.gz"})
  void roundTripsRecordsOfEverySize(String name) {
    String path = dir.resolve(name).toString();
    List<byte[]> records = sampleRecords();
    TfRecords.writeAll(path, CONFIG, records);
    List<byte[]> read = TfRecords.readAll(path, CONFIG);
    assertEquals(records.size(), read.size());
    for (int i = 0; i < records.size(); i++) {
      assertArrayEquals(records.get(i), read.get(i), "record " + i);
    }
  }

  @Test
  void gzSuffixWritesGzipAndOtherSuffixesPlain() throws Exception {
    String gz = dir.resolve("a.tfrecord.gz").toString();
    String plain = dir.resolve("a.tfrecord").toString();
    TfRecords.writeAll(gz, CONFIG, List.of(new byte[] {1, 2, 3}));
    TfRecords.writeAll(plain, CONFIG, List.of(new byte[] {1, 2, 3}));
    byte[] unzipped = new GZIPInputStream(Files.newInputStream(Path.of(gz))).readAllBytes();
    assertArrayEquals(Files.readAllBytes(Path.of(plain)), unzipped);
    assertEquals(8 + 4 + 3 + 4, unzipped.length);
  }

  @Test
  void nothingIsVisibleBeforeTheWriterCloses() {
    String path = dir.resolve("pending.tfrecord.gz").toString();
    try (TfRecordWriter writer = TfRecords.openWriter(path, CONFIG)) {
      writer.write(new byte[] {7});
      writer.flush();
      assertTrue(Files.notExists(Path.of(path)));
    }
    assertEquals(1, TfRecords.readAll(path, CONFIG).size());
  }

  @Test
  void tensorFlowReadsWhatWeWrite() {
    String path = dir.resolve("ours.tfrecord.gz").toString();
    List<byte[]> records = sampleRecords();
    TfRecords.writeAll(path, CONFIG, records);
    List<byte[]> readByTf = readWithTensorFlow(path, "GZIP");
    assertEquals(records.size(), readByTf.size());
    for (int i = 0; i < records.size(); i++) {
      assertArrayEquals(records.get(i), readByTf.get(i), "record " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"theirs.tfrecord", "theirs.tfrecord.gz"})
  void weReadWhatTensorFlowWrites(String name) {
    String path = dir.resolve(name).toString();
    String[] values = {"alpha", "", "x".repeat(70_000), "omega"};
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      TensorSliceDataset dataset =
          tf.data.tensorSliceDataset(List.of(tf.constant(StandardCharsets.UTF_8, values)), List.of(Shape.scalar()));
      s.run(
          tf.data.datasetToTfRecord(
              dataset, tf.constant(path), tf.constant(name.endsWith(".gz") ? "GZIP" : "")));
    }
    List<byte[]> read = TfRecords.readAll(path, CONFIG);
    assertEquals(values.length, read.size());
    for (int i = 0; i < values.length; i++) {
      assertEquals(values[i], new String(read.get(i), StandardCharsets.UTF_8));
    }
  }

  @Test
  void corruptDataCrcNamesFileRecordAndOffset() throws Exception {
    Path file = dir.resolve("bad.tfrecord");
    TfRecords.writeAll(file.toString(), CONFIG, List.of(new byte[10], new byte[20]));
    byte[] bytes = Files.readAllBytes(file);
    int secondRecord = 8 + 4 + 10 + 4;
    bytes[secondRecord + 12 + 5] ^= 1;
    Files.write(file, bytes);
    BadInputException e = assertThrows(
        BadInputException.class, () -> TfRecords.readAll(file.toString(), CONFIG));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("record 1 at offset " + secondRecord), e.getMessage());
    assertTrue(e.getMessage().contains("data CRC mismatch"), e.getMessage());
  }

  @Test
  void corruptLengthIsCaughtBeforeAllocating() throws Exception {
    Path file = dir.resolve("badlen.tfrecord");
    TfRecords.writeAll(file.toString(), CONFIG, List.of(new byte[10]));
    byte[] bytes = Files.readAllBytes(file);
    bytes[7] = (byte) 0x7f; // an enormous length whose CRC no longer matches
    Files.write(file, bytes);
    BadInputException e = assertThrows(
        BadInputException.class, () -> TfRecords.readAll(file.toString(), CONFIG));
    assertTrue(e.getMessage().contains("record 0 at offset 0: length CRC mismatch"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 12, 20, 25})
  void truncatedRecordNamesFileAndOffset(int keep) throws Exception {
    Path file = dir.resolve("cut.tfrecord");
    TfRecords.writeAll(file.toString(), CONFIG, List.of(new byte[10], new byte[10]));
    byte[] bytes = Files.readAllBytes(file);
    int first = 8 + 4 + 10 + 4;
    Files.write(file, Arrays.copyOf(bytes, first + keep));
    BadInputException e = assertThrows(
        BadInputException.class, () -> TfRecords.readAll(file.toString(), CONFIG));
    assertTrue(e.getMessage().startsWith(file + ": record 1 at offset " + first), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void truncatedGzipStreamIsBadInput() throws Exception {
    Path file = dir.resolve("cut.tfrecord.gz");
    Random random = new Random(1);
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] r = new byte[1000];
      random.nextBytes(r);
      records.add(r);
    }
    TfRecords.writeAll(file.toString(), CONFIG, records);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    BadInputException e = assertThrows(
        BadInputException.class, () -> TfRecords.readAll(file.toString(), CONFIG));
    assertTrue(e.getMessage().startsWith(file + ": record "), e.getMessage());
  }

  @Test
  void gzSuffixOnAPlainFileIsBadInput() throws Exception {
    Path file = dir.resolve("notgzip.tfrecord.gz");
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    try (TfRecordWriter w = new TfRecordWriter(plain)) {
      w.write(new byte[] {1, 2, 3});
    }
    Files.write(file, plain.toByteArray());
    BadInputException e = assertThrows(
        BadInputException.class, () -> TfRecords.readAll(file.toString(), CONFIG));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void emptyPlainFileHasNoRecords() throws Exception {
    Path file = dir.resolve("empty.tfrecord");
    Files.write(file, new byte[0]);
    assertEquals(0, TfRecords.readAll(file.toString(), CONFIG).size());
    try (TfRecordReader reader = new TfRecordReader(new ByteArrayInputStream(new byte[0]), "x")) {
      assertEquals(null, reader.next());
      assertEquals(0, reader.index());
    }
  }

  private static List<byte[]> sampleRecords() {
    Random random = new Random(7);
    List<byte[]> records = new ArrayList<>();
    for (int size : new int[] {0, 1, 11, 12, 255, 256, 65_537, 1 << 20}) {
      byte[] r = new byte[size];
      random.nextBytes(r);
      records.add(r);
    }
    return records;
  }

  /** Reads every record of a file with TensorFlow's own TFRecordReader kernel. */
  private static List<byte[]> readWithTensorFlow(String path, String compression) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      FifoQueue files = tf.io.fifoQueue(List.of(TString.class));
      s.run(tf.io.queueEnqueue(files, List.of(tf.constant(path))));
      s.run(tf.io.queueClose(files));
      var reader = tf.io.tfRecordReader(org.tensorflow.op.io.TfRecordReader.compressionType(compression));
      ReaderReadUpTo read = tf.io.readerReadUpTo(reader, files, tf.constant(1_000_000L));
      List<byte[]> out = new ArrayList<>();
      try (Result r = s.runner().fetch(read.values()).run()) {
        ((TString) r.get(0)).asBytes().scalars().forEach(v -> out.add(v.getObject()));
      }
      return out;
    }
  }
}
