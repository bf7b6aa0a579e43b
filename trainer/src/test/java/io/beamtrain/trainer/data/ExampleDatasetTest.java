package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Example;

class ExampleDatasetTest {
  @TempDir Path dir;

  @Test
  void loadsPenguinsSplitsWithEveryRowEncodedAsTheEncoderSays() {
    DataDirFixture.Written written = DataDirFixture.penguins().write(dir);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    TransformSpec spec = dataset.spec();
    assertEquals(written.spec(), spec);
    assertEquals(TransformSpec.Task.MULTICLASS_CLASSIFICATION, spec.label().task());
    assertEquals(List.of("Adelie", "Chinstrap", "Gentoo"), spec.label().vocabulary());

    DenseData train = dataset.load(Split.TRAIN);
    DenseData eval = dataset.load(Split.EVAL);
    assertEquals(344, train.n() + eval.n());
    assertEquals(written.trainRows().size(), train.n());
    assertEquals(spec.denseWidth(), train.width());
    assertNull(train.targets());

    // Shards interleave rows round-robin; every loaded row must equal the encoding of some raw row.
    Examples examples = Examples.of(spec);
    FeatureEncoder encoder = new FeatureEncoder(spec);
    Set<String> expected = new HashSet<>();
    for (Map<String, Object> row : written.trainRows()) {
      RawRow raw = examples.parse(row, "row");
      expected.add(
          java.util.Arrays.toString(encoder.encode(raw)) + encoder.classIndex(raw, "row"));
    }
    for (int i = 0; i < train.n(); i++) {
      float[] features = new float[train.width()];
      train.copyRow(i, features, 0);
      assertTrue(
          expected.contains(java.util.Arrays.toString(features) + train.classIds()[i]),
          "row " + i + " is not the encoding of any train row");
    }
  }

  @Test
  void regressionSplitLoadsTargetsAndChunksAgreeWithLoad() {
    DataDirFixture.Written written =
        DataDirFixture.syntheticRegression(1000, 3, 5).shards(3, 2).write(dir);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    DenseData eval = dataset.load(Split.EVAL);
    assertNull(eval.classIds());
    assertEquals(written.evalRows().size(), eval.n());
    assertEquals(3, eval.width());

    float[] features = new float[eval.n() * eval.width()];
    float[] targets = new float[eval.n()];
    int[] at = {0};
    dataset.forEachChunk(
        Split.EVAL,
        64,
        chunk -> {
          assertTrue(chunk.n() <= 64);
          System.arraycopy(chunk.features(), 0, features, at[0] * chunk.width(), chunk.n() * chunk.width());
          System.arraycopy(chunk.targets(), 0, targets, at[0], chunk.n());
          at[0] += chunk.n();
        });
    assertEquals(eval.n(), at[0]);
    assertArrayEquals(eval.features(), features);
    assertArrayEquals(eval.targets(), targets);
  }

  @Test
  void emptySplitIsBadInputNamingTheSplit() {
    DataDirFixture.penguins().evalFraction(0).write(dir);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    BadInputException e = assertThrows(BadInputException.class, () -> dataset.load(Split.EVAL));
    assertEquals(
        "split 'eval' of " + dir + " is empty: its files [eval-00000-of-00001.tfrecord.gz] hold"
            + " no records",
        e.getMessage());
    assertThrows(BadInputException.class, () -> dataset.forEachChunk(Split.EVAL, 10, c -> {}));
  }

  @Test
  void splitWithoutFilesIsBadInput() {
    TransformSpec spec = DataDirFixture.penguins().spec();
    TransformSpec noEval =
        new TransformSpec(
            spec.version(),
            spec.label(),
            spec.features(),
            new TransformSpec.SplitSpec(0, 1, 10, 0, spec.split().trainFiles(), List.of()));
    ExampleDataset dataset = ExampleDataset.of(dir.toString(), noEval, StorageConfig.defaults());
    BadInputException e = assertThrows(BadInputException.class, () -> dataset.load(Split.EVAL));
    assertTrue(e.getMessage().endsWith("transform.json lists no eval files"), e.getMessage());
    assertThrows(
        BadInputException.class,
        () -> new StreamingBatchSource(dataset, Split.EVAL, 4, 1, 10));
  }

  @Test
  void missingTransformJsonOrShardIsBadInputNamingThePath() throws Exception {
    BadInputException noSpec =
        assertThrows(
            BadInputException.class,
            () -> ExampleDataset.open(dir.toString(), StorageConfig.defaults()));
    assertTrue(noSpec.getMessage().startsWith(dir.resolve("transform.json") + ": not found"));

    DataDirFixture.penguins().write(dir);
    Files.delete(dir.resolve("train-00001-of-00002.tfrecord.gz"));
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    BadInputException noShard =
        assertThrows(BadInputException.class, () -> dataset.load(Split.TRAIN));
    assertEquals(
        dir.resolve("train-00001-of-00002.tfrecord.gz")
            + ": listed in transform.json but does not exist",
        noShard.getMessage());
  }

  @Test
  void invalidTransformJsonIsBadInput() throws Exception {
    Files.writeString(dir.resolve("transform.json"), "{\"version\": 1, \"labels\": {}}");
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> ExampleDataset.open(dir.toString(), StorageConfig.defaults()));
    assertTrue(e.getMessage().startsWith(dir.resolve("transform.json").toString()), e.getMessage());
  }

  @Test
  void badRecordInAShardNamesFileRecordAndFeature() {
    DataDirFixture.Written written = DataDirFixture.penguins().write(dir);
    Examples examples = Examples.of(written.spec());
    String shard = dir.resolve("eval-00000-of-00001.tfrecord.gz").toString();
    Example good = examples.encode(written.evalRows().get(0));
    Example bad =
        good.toBuilder()
            .setFeatures(good.getFeatures().toBuilder().removeFeature("island"))
            .build();
    TfRecords.writeAll(
        shard,
        StorageConfig.defaults(),
        List.of(good.toByteArray(), good.toByteArray(), bad.toByteArray()));
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    BadInputException e = assertThrows(BadInputException.class, () -> dataset.load(Split.EVAL));
    assertEquals(shard + ": record 2: feature 'island' is missing", e.getMessage());
  }

  @Test
  void corruptShardIsBadInputNamingTheFile() throws Exception {
    DataDirFixture.penguins().uncompressed().write(dir);
    Path shard = dir.resolve("train-00000-of-00002.tfrecord");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(shard, bytes);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    BadInputException e = assertThrows(BadInputException.class, () -> dataset.load(Split.TRAIN));
    assertTrue(e.getMessage().startsWith(shard + ": record "), e.getMessage());
  }

  @Test
  void trainBatchesStreamsWhenTheSplitExceedsTheLimit() {
    DataDirFixture.penguins().write(dir);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    long bytes = dataset.denseBytes(Split.TRAIN);
    assertEquals(
        DenseData.bytesFor(dataset.spec().split().trainExamples(), dataset.encoder().width()),
        bytes);
    try (BatchSource inMemory = dataset.trainBatches(8, 1, bytes)) {
      assertTrue(inMemory instanceof InMemoryBatchSource);
    }
    try (BatchSource streaming = dataset.trainBatches(8, 1, bytes - 1)) {
      assertTrue(streaming instanceof StreamingBatchSource);
      Batch batch = streaming.newBatch();
      streaming.fill(0, batch);
      assertEquals(8, batch.size());
    }
  }
}
