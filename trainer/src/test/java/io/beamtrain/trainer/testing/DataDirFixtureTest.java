package io.beamtrain.trainer.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.data.Examples;
import io.beamtrain.trainer.data.TfRecords;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureSpec;
import io.beamtrain.trainer.data.TransformSpec.FeatureType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirFixtureTest {
  @TempDir Path dir;

  @Test
  void penguinsSpecHasTypesStatisticsAndVocabulariesOfTheTrainRows() {
    DataDirFixture.Written w = DataDirFixture.penguins().write(dir);
    TransformSpec spec = w.spec();
    assertEquals(TransformSpec.Task.MULTICLASS_CLASSIFICATION, spec.label().task());
    assertEquals(
        List.of("island", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g", "sex"),
        spec.features().stream().map(FeatureSpec::name).toList());
    assertEquals(
        List.of(FeatureType.CATEGORICAL, FeatureType.NUMERIC, FeatureType.NUMERIC,
            FeatureType.NUMERIC, FeatureType.NUMERIC, FeatureType.CATEGORICAL),
        spec.features().stream().map(FeatureSpec::type).toList());

    // Recompute body_mass_g's statistics and sex's vocabulary from the train rows.
    double sum = 0;
    double sumSq = 0;
    int count = 0;
    int missingMass = 0;
    Map<String, Integer> sexCounts = new java.util.HashMap<>();
    for (Map<String, Object> row : w.trainRows()) {
      Object mass = row.get("body_mass_g");
      if (mass == null) {
        missingMass++;
      } else {
        double x = Double.parseDouble(mass.toString());
        sum += x;
        sumSq += x * x;
        count++;
      }
      Object sex = row.get("sex");
      if (sex != null) {
        sexCounts.merge(sex.toString(), 1, Integer::sum);
      }
    }
    FeatureSpec mass = spec.features().get(4);
    double mean = sum / count;
    assertEquals(mean, mass.mean(), 1e-9);
    assertEquals(Math.sqrt(sumSq / count - mean * mean), mass.stddev(), 1e-6);
    assertEquals(missingMass, mass.missing());
    assertTrue(missingMass > 0, "penguins has missing cells");
    List<String> sexVocabulary = spec.features().get(5).vocabulary();
    assertEquals(sexCounts.keySet(), java.util.Set.copyOf(sexVocabulary));
    for (int i = 1; i < sexVocabulary.size(); i++) {
      assertTrue(sexCounts.get(sexVocabulary.get(i - 1)) >= sexCounts.get(sexVocabulary.get(i)));
    }
    assertEquals(w.trainRows().size(), spec.split().trainExamples());
    assertEquals(w.evalRows().size(), spec.split().evalExamples());
    assertEquals(
        List.of("train-00000-of-00002.tfrecord.gz", "train-00001-of-00002.tfrecord.gz"),
        spec.split().trainFiles());
  }

  @Test
  void shardsAreGzipExamplesOfTheRowsWithMissingCellsEncodedAsMissing() throws Exception {
    DataDirFixture.Written w = DataDirFixture.penguins().write(dir);
    Path shard = dir.resolve("eval-00000-of-00001.tfrecord.gz");
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(shard))) {
      assertTrue(in.readAllBytes().length > 0);
    }
    List<byte[]> records = TfRecords.readAll(shard.toString(), StorageConfig.defaults());
    assertEquals(w.evalRows().size(), records.size());
    Examples examples = Examples.of(w.spec());
    boolean sawMissing = false;
    for (int i = 0; i < records.size(); i++) {
      assertEquals(
          examples.parse(w.evalRows().get(i), "row"), examples.decode(records.get(i), "eval", i));
      sawMissing |= w.evalRows().get(i).containsValue(null);
    }
    assertTrue(sawMissing || w.trainRows().stream().anyMatch(r -> r.containsValue(null)));
  }

  @Test
  void theSplitIsDeterministicInTheSeed() throws Exception {
    DataDirFixture.Written a = DataDirFixture.penguins().seed(3).write(dir.resolve("a"));
    DataDirFixture.Written b = DataDirFixture.penguins().seed(3).write(dir.resolve("b"));
    DataDirFixture.Written c = DataDirFixture.penguins().seed(4).write(dir.resolve("c"));
    assertEquals(a.evalRows(), b.evalRows());
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("a/transform.json")),
        Files.readAllBytes(dir.resolve("b/transform.json")));
    assertNotEquals(a.evalRows(), c.evalRows());
    double fraction = a.evalRows().size() / 344.0;
    assertTrue(fraction > 0.12 && fraction < 0.28, "eval fraction " + fraction);
  }

  @Test
  void syntheticRegressionIsFlightsShaped() {
    TransformSpec spec = DataDirFixture.syntheticRegression(2000, 3, 9).spec();
    assertEquals(TransformSpec.Task.REGRESSION, spec.label().task());
    assertEquals("y", spec.label().name());
    assertEquals(3, spec.features().size());
    assertTrue(spec.features().stream().allMatch(f -> f.type() == FeatureType.NUMERIC));
    assertTrue(spec.features().get(0).missing() > 0);
    assertEquals(2000, spec.split().trainExamples() + spec.split().evalExamples());
  }
}
