package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.ModelMetrics;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialSpec;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every finished trial reports its model's size and serving latency beside its eval metrics. */
class TrialModelCostTest {
  @TempDir static Path data;
  @TempDir Path trials;

  static String regression;

  @BeforeAll
  static void writeData() {
    regression = DataDirFixture.syntheticRegression(600, 3, 5).write(data.resolve("regression")).dataDir();
  }

  private TrialResult run(String name, String hiddenLayers) {
    return TrialRunner.run(TrialSpec.builder()
        .dataDir(regression)
        .trialDir(trials.resolve(name).toString())
        .trialId(name)
        .params(Map.of("model", "dnn", "hidden_layers", hiddenLayers))
        .seed(3)
        .trainSteps(40)
        .evalEverySteps(20)
        .checkpointEverySteps(20)
        .metric(new MetricSpec(MetricSpec.EVAL_RMSE, Goal.MINIMIZE))
        .intraOpThreads(1)
        .interOpThreads(1)
        .modelCost(true)
        .build());
  }

  @Test
  void modelParamsCountsTheNetworkWeightsAndLatencyIsMeasured() throws IOException {
    TrialResult small = run("trial-0000", "8");
    TrialResult wide = run("trial-0001", "16");
    assertEquals(TrialStatus.COMPLETED, small.status());
    // One hidden layer of h units on d inputs, one output: h*d + h + h + 1 = h(d + 2) + 1 weights,
    // so doubling h gives 2 * (count - 1) + 1 whatever the input width d.
    double params8 = small.metric(ModelMetrics.MODEL_PARAMS);
    double params16 = wide.metric(ModelMetrics.MODEL_PARAMS);
    assertTrue(params8 > 1, small.toJson());
    assertEquals(2 * (params8 - 1) + 1, params16, wide.toJson());
    double latency = small.metric(ModelMetrics.SERVING_LATENCY_MS);
    assertTrue(latency > 0 && latency < 1000, small.toJson());
    // Model metrics are in metrics (the trial's, at any step), not in the per-evaluation history.
    assertFalse(small.history().get(0).metrics().containsKey(ModelMetrics.MODEL_PARAMS));

    Path resultJson = trials.resolve("trial-0000").resolve("result.json");
    assertEquals(small, TrialResult.fromJson(Files.readString(resultJson), "result.json"));
    // A finished trial run again keeps what it measured rather than timing it afresh.
    assertEquals(small, run("trial-0000", "8"));
    // Without modelCost (a single-metric study) metrics are exactly the best checkpoint's.
    TrialResult plain = TrialRunner.run(TrialSpec.builder().dataDir(regression)
        .trialDir(trials.resolve("plain").toString()).params(Map.of("model", "dnn", "hidden_layers", "8"))
        .seed(3).trainSteps(40).evalEverySteps(20).checkpointEverySteps(20)
        .metric(new MetricSpec(MetricSpec.EVAL_RMSE, Goal.MINIMIZE)).intraOpThreads(1).interOpThreads(1).build());
    assertFalse(plain.metrics().containsKey(ModelMetrics.MODEL_PARAMS), plain.toJson());
  }
}
