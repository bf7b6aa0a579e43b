package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.pipelines.study.MedianStopping;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
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
        layout, layout.data(), MetricSpec.defaultMetric(), 40, 10, 10, 0, 2, 5, StorageConfig.defaults(), false);
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
            MetricNameFilter.named(RunTrials.SEARCH_NAMESPACE, RunTrials.STEPS_TRAINED)).build()).getCounters();
    long steps = 0;
    for (MetricResult<Long> c : counters) {
      steps += c.getAttempted();
    }
    assertEquals(4 * 20 + 3 * 20, steps);
  }

  @Test
  void medianStoppingInsideARungStopsALaterRoundsPoorTrialsWhichAreNeverPromoted() {
    OutputLayout out = new OutputLayout(tmp.resolve("median").toString());
    List<Trial> trials = List.of(
        trial(0, Map.of("model", "linear", "learning_rate", 0.05)),
        trial(1, Map.of("model", "linear", "learning_rate", 0.1)),
        trial(2, Map.of("model", "linear", "learning_rate", 0.03)),
        trial(3, Map.of("model", "linear", "learning_rate", 1e-6, "optimizer", "sgd")),
        trial(4, Map.of("model", "linear", "learning_rate", 0.3)),
        trial(5, Map.of("model", "linear", "learning_rate", 1e-5, "optimizer", "sgd")));
    // eta 3, budgets 10 then 30: rung 0 in rounds {0, 1, 2} and {3, 4, 5}; 2 promoted.
    List<Bracket> plan = Brackets.successiveHalving(6, 10, 30, 3);
    TrialSettings settings = new TrialSettings(
        out, layout.data(), MetricSpec.defaultMetric(), 30, 5, 10, 0, 2, 6, StorageConfig.defaults(), false);
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(SuccessiveHalving.of(trials, plan, settings).withMedianStopping(new MedianStopping(0, 2), 3));
    pipeline.run().waitUntilFinish();

    List<TrialResult> results = Stream.of(0, 1, 2, 3, 4, 5).map(i -> readResult(out, Trial.idOf(i))).toList();
    for (int i : new int[] {3, 5}) {
      TrialResult r = results.get(i);
      assertEquals(TrialStatus.STOPPED, r.status(), r.toJson());
      assertTrue(r.reason().startsWith("median stopping at step 5:"), r.reason());
      assertEquals(5, r.steps(), r.toJson());
    }
    // The first round has no earlier trials to compare with; trial 4 beats the first round's median.
    for (int i : new int[] {0, 1, 2, 4}) {
      assertTrue(results.get(i).status() == TrialStatus.COMPLETED, results.get(i).toJson());
    }
    List<String> promoted = results.stream().filter(r -> r.steps() == 30).map(TrialResult::trial).sorted().toList();
    List<String> expected = results.stream().filter(r -> r.status() == TrialStatus.COMPLETED)
        .sorted(Comparator.comparingDouble((TrialResult r) -> MedianStopping.bestUpTo(r, settings.metric(), 10))
            .thenComparing(TrialResult::trial))
        .limit(2).map(TrialResult::trial).sorted().toList();
    assertEquals(expected, promoted);
    for (String id : promoted) {
      TrialResult r = results.get(Integer.parseInt(id.substring("trial-".length())));
      // A rung of 2 trials is one round: no references, so the rule never stops them there.
      assertEquals(TrialStatus.COMPLETED, r.status(), r.toJson());
      assertEquals(List.of(5L, 10L, 15L, 20L, 25L, 30L),
          r.history().stream().map(TrialResult.Evaluation::step).toList(), id);
    }
  }

  @Test
  void aDecayingScheduleKeepsTheMaximumBudgetAsItsHorizonInEveryRung() {
    Trial decaying = trial(0, Map.of("learning_rate_decay", "cosine", "learning_rate", 0.1));
    assertEquals(270, SuccessiveHalving.withScheduleHorizon(decaying, 270).params().get("decay_steps"));
    Trial given = trial(1, Map.of("learning_rate_decay", "cosine", "decay_steps", 50));
    assertEquals(50, SuccessiveHalving.withScheduleHorizon(given, 270).params().get("decay_steps"));
    Trial constant = trial(2, Map.of("learning_rate", 0.1));
    assertEquals(constant, SuccessiveHalving.withScheduleHorizon(constant, 270));
  }

  private static TrialResult readResult(OutputLayout out, String trial) {
    try {
      Path path = Path.of(out.resultJson(trial));
      return TrialResult.fromJson(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
