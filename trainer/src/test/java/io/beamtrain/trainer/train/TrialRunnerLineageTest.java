package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trial whose result.json records an exploit (population-based training) trains on with its new values. */
class TrialRunnerLineageTest {
  @TempDir static Path data;
  @TempDir Path trials;

  static String penguins;

  @BeforeAll
  static void writeData() {
    penguins = DataDirFixture.penguins().write(data.resolve("penguins")).dataDir();
  }

  private TrialSpec spec(String name, Map<String, Object> params, int steps) {
    return TrialSpec.builder()
        .dataDir(penguins)
        .trialDir(trials.resolve(name).toString())
        .seed(17)
        .params(params)
        .trainSteps(steps)
        .evalEverySteps(50)
        .checkpointEverySteps(100)
        .intraOpThreads(1)
        .interOpThreads(1)
        .build();
  }

  @Test
  void afterAnExploitTheTrialTrainsWithTheLineagesValuesAndKeepsTheLineage() throws IOException {
    Map<String, Object> started = Map.of("learning_rate", 0.01, "dropout", 0.1, "batch_size", 32);
    Map<String, Object> changed = Map.of("learning_rate", 0.05, "dropout", 0.3, "batch_size", 16);
    TrialResult first = TrialRunner.run(spec("exploited", started, 100));
    TrialResult.Exploit exploit = new TrialResult.Exploit(100, "trial-0009", started, changed);
    new TrialDirectory(trials.resolve("exploited").toString(), StorageConfig.defaults())
        .writeResult(first.withLineage(List.of(exploit)));

    // The same weights at step 100, in a trial that had the new values from the start.
    Path reference = Files.createDirectories(trials.resolve("reference"));
    try (Stream<Path> files = Files.list(trials.resolve("exploited"))) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith("model.ckpt-") || name.equals("checkpoint")) {
          Files.copy(f, reference.resolve(name));
        }
      }
    }

    TrialResult exploited = TrialRunner.run(spec("exploited", started, 200));
    TrialResult expected = TrialRunner.run(spec("reference", changed, 200));

    assertEquals(TrialStatus.COMPLETED, exploited.status());
    assertEquals(List.of(exploit), exploited.lineage());
    assertEquals(changed, exploited.currentParams());
    assertEquals(started, exploited.params());
    // The reference has no history before step 100 (it was given the checkpoint only).
    assertEquals(expected.history(), exploited.history().stream().filter(e -> e.step() >= 100).toList());
    assertArrayEquals(
        Files.readAllBytes(reference.resolve("model.ckpt-200.data-00000-of-00001")),
        Files.readAllBytes(trials.resolve("exploited/model.ckpt-200.data-00000-of-00001")),
        "the exploited trial did not train with its new hyperparameters");
    String json = Files.readString(trials.resolve("exploited/result.json"));
    assertEquals(List.of(exploit), TrialResult.fromJson(json, "result.json").lineage());
  }

  @Test
  void aResultWithoutLineageWritesNoLineageField() {
    TrialResult result = TrialResult.failed("trial-0001", Map.of("learning_rate", 0.1), 3, "boom", 1.0);
    assertFalse(result.toJson().contains("lineage"));
    assertEquals(result.params(), result.currentParams());
  }
}
