package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.events.EventFileReader;
import io.beamtrain.trainer.events.HParamsEventFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Successive halving on penguins with the real trainer and the DirectRunner. */
class SuccessiveHalvingTest {
  @TempDir static Path tmp;
  static OutputLayout layout;

  @BeforeAll
  static void preprocess() {
    layout = PenguinsData.preprocessedOutput(tmp);
  }

  private static Trial trial(int index, Map<String, Object> params) {
    return new Trial(Trial.idOf(index), index, new TreeMap<>(params), 500L + index);
  }

  @Test
  void promotedTrialsContinueFromTheirCheckpointsAndAFailedTrialDoesNotStopTheBracket()
      throws IOException {
    List<Trial> trials = List.of(
        trial(0, Map.of("model", "linear", "learning_rate", 0.001)),
        trial(1, Map.of("model", "linear", "learning_rate", 0.1)),
        trial(2, Map.of("model", "dnn", "hidden_units", 0)),
        trial(3, Map.of("model", "linear", "learning_rate", 0.03)),
        trial(4, Map.of("model", "linear", "learning_rate", 0.0003)));
    // Budgets 20 then 40 steps; ceil(5 / 2) = 3 promoted, the FAILED trial-0002 never is.
    List<Bracket> plan = Brackets.successiveHalving(5, 20, 40, 2);
    TrialSettings settings = new TrialSettings(
        layout, layout.data(), MetricSpec.defaultMetric(), 40, 10, 10, 0, 2, 5, StorageConfig.defaults());
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(SuccessiveHalving.of(trials, plan, settings));
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();

    List<TrialResult> results = Stream.of(0, 1, 2, 3, 4)
        .map(i -> readResult(Trial.idOf(i)))
        .toList();
    assertEquals(TrialStatus.FAILED, results.get(2).status());
    List<TrialResult> trained = results.stream().filter(r -> r.status() != TrialStatus.FAILED).toList();
    // The top three by eval_loss at the first rung's budget went on to 40 steps; the other stayed at 20.
    List<String> byRungZero = trained.stream()
        .sorted(Comparator.comparingDouble((TrialResult r) -> MedianStopping.bestUpTo(r, settings.metric(), 20))
            .thenComparing(TrialResult::trial))
        .map(TrialResult::trial).toList();
    for (TrialResult r : trained) {
      boolean promoted = byRungZero.indexOf(r.trial()) < 3;
      assertEquals(TrialStatus.COMPLETED, r.status(), r.toJson());
      assertEquals(promoted ? 40 : 20, r.steps(), r.toJson());
      // One continuous history: each evaluation step once, in order; nothing re-run from step 0.
      assertEquals(promoted ? List.of(10L, 20L, 30L, 40L) : List.of(10L, 20L),
          r.history().stream().map(TrialResult.Evaluation::step).toList(), r.trial());
    }
    // TensorBoard: each attempt appends its own event file to the trial's log directory (as
    // Python's summary writers do); together they hold every evaluation once.
    List<Long> evalSteps = new java.util.ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(layout.trialDir(byRungZero.get(0))))) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents"))
          // The HParams session files hold the trial's hyperparameters, not its scalars.
          .filter(f -> !f.getFileName().toString().contains(HParamsEventFile.SUFFIX)).sorted().toList()) {
        Map<String, TreeMap<Long, Float>> scalars = EventFileReader.scalars(f.toString(), StorageConfig.defaults());
        evalSteps.addAll(scalars.entrySet().stream()
            .filter(e -> e.getKey().contains("eval_loss")).findFirst().orElseThrow().getValue().keySet());
      }
    }
    assertEquals(List.of(10L, 20L, 30L, 40L), evalSteps);
    // 4 trials x 20 steps, then 3 promoted x the 20 steps between the budgets.
    Iterable<MetricResult<Long>> counters = run.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(
            MetricNameFilter.named(TrainRung.METRICS_NAMESPACE, TrainRung.STEPS_TRAINED)).build()).getCounters();
    long steps = 0;
    for (MetricResult<Long> c : counters) {
      steps += c.getAttempted();
    }
    assertEquals(4 * 20 + 3 * 20, steps);
  }

  private static TrialResult readResult(String trial) {
    try {
      Path path = Path.of(layout.resultJson(trial));
      return TrialResult.fromJson(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
