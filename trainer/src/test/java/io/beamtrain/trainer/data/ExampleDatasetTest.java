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
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
