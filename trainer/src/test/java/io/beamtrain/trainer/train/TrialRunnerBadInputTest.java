package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.data.Examples;
import io.beamtrain.trainer.data.TfRecords;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;

/**
 * Every kind of bad input fails the trial with a BadInputException that names the bad thing, and
 * leaves the trial directory untouched (not even created).
 */
class TrialRunnerBadInputTest {
  @TempDir Path dir;

  private Path trialDir() {
    return dir.resolve("trials/trial-0001");
  }

  private BadInputException fails(String dataDir, Map<String, Object> params, MetricSpec metric) {
    TrialSpec spec =
        TrialSpec.builder()
            .dataDir(dataDir)
            .trialDir(trialDir().toString())
            .params(params)
            .metric(metric)
            .trainSteps(20)
            .evalEverySteps(10)
            .checkpointEverySteps(10)
            .intraOpThreads(1)
            .build();
    BadInputException e = assertThrows(BadInputException.class, () -> TrialRunner.run(spec));
    assertFalse(Files.exists(trialDir()), "the failed trial wrote to " + trialDir() + ": " + e.getMessage());
    return e;
  }

  private BadInputException fails(String dataDir, Map<String, Object> params) {
    return fails(dataDir, params, MetricSpec.defaultMetric());
  }

  private static void assertMentions(BadInputException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
  }

  /** Penguins with the last record of the first train shard replaced by {@code change(record)}. */
  private String penguinsWithBadRecord(UnaryOperator<Example> change) {
    DataDirFixture.Written written = DataDirFixture.penguins().write(dir.resolve("data"));
    String shard = dir.resolve("data/train-00000-of-00002.tfrecord.gz").toString();
    Examples examples = Examples.of(written.spec());
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < written.trainRows().size(); i += 2) { // shard 0 holds the even rows
      records.add(examples.encode(written.trainRows().get(i)).toByteArray());
    }
    Example last = examples.encode(written.trainRows().get(0));
    records.set(records.size() - 1, change.apply(last).toByteArray());
    TfRecords.writeAll(shard, StorageConfig.defaults(), records);
    return written.dataDir();
  }

  private static Example withFeature(Example example, String name, Feature feature) {
    return example.toBuilder()
        .setFeatures(example.getFeatures().toBuilder().putFeature(name, feature))
        .build();
  }

  @Test
  void exampleMissingAFeature() {
    String data =
        penguinsWithBadRecord(
            e -> e.toBuilder().setFeatures(e.getFeatures().toBuilder().removeFeature("island")).build());
    assertMentions(fails(data, Map.of()), "train-00000-of-00002.tfrecord.gz", "'island'", "missing");
  }

  @Test
  void featureOfTheWrongType() {
    Feature text =
        Feature.newBuilder()
            .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("long")))
            .build();
    String data = penguinsWithBadRecord(e -> withFeature(e, "beak_length_mm", text));
    assertMentions(fails(data, Map.of()), "train-00000-of-00002.tfrecord.gz", "'beak_length_mm'");
  }

  @Test
  void labelValueAbsentFromTheVocabulary() {
    Feature dodo =
        Feature.newBuilder()
            .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("Dodo")))
            .build();
    String data = penguinsWithBadRecord(e -> withFeature(e, "species", dodo));
    assertMentions(fails(data, Map.of()), "train-00000-of-00002.tfrecord.gz", "Dodo");
  }

  @Test
  void emptyEvalSplit() {
    String data = DataDirFixture.penguins().evalFraction(0).write(dir.resolve("data")).dataDir();
    assertMentions(fails(data, Map.of()), "split 'eval'", "is empty");
  }

  @Test
  void missingTransformJson() {
    assertMentions(fails(dir.resolve("nothing").toString(), Map.of()), "transform.json", "not found");
  }

  @Test
  void hyperparametersOutOfRange() {
    String data = DataDirFixture.penguins().write(dir.resolve("data")).dataDir();
    assertMentions(fails(data, Map.of("learning_rate", -0.1)), "trial-0001", "'learning_rate'", "-0.1");
    assertMentions(fails(data, Map.of("hidden_units", 0)), "'hidden_units'", "was 0");
    assertMentions(fails(data, Map.of("num_layers", 0)), "'num_layers'");
    assertMentions(fails(data, Map.of("dropout", 1.5)), "'dropout'", "1.5");
    assertMentions(fails(data, Map.of("optimzer", "adam")), "unknown hyperparameter 'optimzer'");
  }

  @Test
  void lossOrMetricThatDoesNotFitTheTask() {
    String data = DataDirFixture.penguins().write(dir.resolve("data")).dataDir();
    assertMentions(fails(data, Map.of("loss", "huber")), "'loss'", "huber", "regression");
    assertMentions(
        fails(data, Map.of(), new MetricSpec(MetricSpec.EVAL_RMSE, Goal.MINIMIZE)),
        "eval_rmse", "species", "3 classes");
    assertMentions(
        fails(data, Map.of(), new MetricSpec(MetricSpec.EVAL_AUC, Goal.MAXIMIZE)), "eval_auc");
  }

  @Test
  void trialDirectoryOfAnotherTrialIsNotResumed() throws Exception {
    String data = DataDirFixture.penguins().write(dir.resolve("data")).dataDir();
    TrialSpec.Builder spec =
        TrialSpec.builder()
            .dataDir(data)
            .trialDir(trialDir().toString())
            .trainSteps(10)
            .evalEverySteps(10)
            .checkpointEverySteps(10)
            .intraOpThreads(1);
    TrialRunner.run(spec.params(Map.of("hidden_units", 8)).build());
    String before = Files.readString(trialDir().resolve("result.json"));
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> TrialRunner.run(spec.params(Map.of("hidden_units", 16)).trainSteps(20).build()));
    assertMentions(e, trialDir().toString(), "already holds trial", "hidden_units");
    assertTrue(before.equals(Files.readString(trialDir().resolve("result.json"))));
  }
}
