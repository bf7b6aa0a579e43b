package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.search.AshaSchedule.Outcome;
import io.beamtrain.pipelines.study.MedianStopping;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialExecutor;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ASHA on penguins with the real trainer and the DirectRunner. */
class AsyncSuccessiveHalvingTest {
  @TempDir static Path tmp;
  static OutputLayout data;

  @BeforeAll
  static void preprocess() {
    data = PenguinsData.preprocessedOutput(tmp);
  }

  private static Trial trial(int index, Map<String, Object> params) {
    return new Trial(Trial.idOf(index), index, new TreeMap<>(params), 700L + index);
  }

  private static Trial linear(int index, double learningRate) {
    return trial(index, Map.of("model", "linear", "learning_rate", learningRate));
  }

  private static TrialSettings settings(OutputLayout out, int maxBudget) {
    return new TrialSettings(out, data.data(), MetricSpec.defaultMetric(), maxBudget, 10, 10, 0, 0, 1,
        StorageConfig.defaults(), false);
  }

  private static TrialResult readResult(OutputLayout out, String trial) {
    try {
      String path = out.resultJson(trial);
      return TrialResult.fromJson(Files.readString(Path.of(path), StandardCharsets.UTF_8), path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JobLog.Snapshot log(OutputLayout out) {
    return new JobLog(out.jobLog(), Storages.forPath(out.jobLog())).read();
  }

  /** Runs the search and checks it emits exactly one result per trial started. */
  private static PipelineResult run(List<Trial> trials, AshaSchedule schedule, int workers, TrialSettings settings) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<TrialResult> results =
        pipeline.apply(AsyncSuccessiveHalving.of(trials, schedule, workers, settings));
    List<String> ids = trials.stream().limit(schedule.maxTrials()).map(Trial::id).toList();
    PAssert.that(results).satisfies(rs -> {
      List<String> emitted = new ArrayList<>();
      rs.forEach(r -> emitted.add(r.trial()));
      assertEquals(ids, emitted.stream().sorted().toList());
      return null;
    });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  @Test
  void twoWorkersClimbTheRungsFromTheirCheckpointsAndAFailedTrialDoesNotStopTheSearch() {
    OutputLayout out = new OutputLayout(tmp.resolve("two-workers").toString());
    List<Trial> trials = List.of(
        linear(0, 0.001), linear(1, 0.1), trial(2, Map.of("model", "dnn", "hidden_units", 0)),
        linear(3, 0.03), linear(4, 0.0003), linear(5, 0.3), linear(6, 0.01));
    // eta 2, budgets 10, 20, 40; a step budget that does not bind, so the search runs to ASHA's end state.
    AshaSchedule schedule = AshaSchedule.of(10, 40, 2, 7, 10_000, MetricSpec.defaultMetric());
    assertEquals(List.of(10, 20, 40), schedule.budgets());
    PipelineResult run = run(trials, schedule, 2, settings(out, 40));

    JobLog.Snapshot log = log(out);
    assertTrue(log.unfinished().isEmpty(), log.unfinished().toString());
    List<Job> starts = log.jobs().stream().filter(j -> j.rung() == 0).toList();
    assertEquals(trials.stream().map(Trial::id).toList(), starts.stream().map(Job::trial).toList(),
        "every trial started once, in index order");
    assertEquals(List.of(0, 1), log.jobs().stream().map(Job::worker).distinct().sorted().toList(),
        "both workers took jobs");

    Map<String, Integer> highestRung = new HashMap<>();
    long expectedSteps = 0;
    for (Job job : log.jobs()) {
      assertEquals(job.rung(), highestRung.merge(job.trial(), 0, (a, b) -> a + 1), "one rung at a time: " + job);
      Outcome outcome = log.outcomes().get(job.index());
      if (job.trial().equals(Trial.idOf(2))) {
        assertEquals(TrialStatus.FAILED, outcome.status());
        continue;
      }
      assertEquals(TrialStatus.COMPLETED, outcome.status(), job.toString());
      expectedSteps += job.budget() - (job.rung() == 0 ? 0 : schedule.budgets().get(job.rung() - 1));
      // The outcome is the trial's best up to the job's budget, read back from its whole history.
      TrialResult result = readResult(out, job.trial());
      assertEquals(MedianStopping.bestUpTo(result, MetricSpec.defaultMetric(), job.budget()), outcome.metric(), 1e-12,
          job.toString());
    }
    assertEquals(0, highestRung.get(Trial.idOf(2)), "the failed trial is never promoted");
    assertTrue(highestRung.values().stream().anyMatch(r -> r == 2), "some trial reached the maximum budget");
    for (Map.Entry<String, Integer> e : highestRung.entrySet()) {
      TrialResult result = readResult(out, e.getKey());
      if (result.status() == TrialStatus.FAILED) {
        continue;
      }
      int budget = schedule.budgets().get(e.getValue());
      // Continued, never restarted: one evaluation every 10 steps up to the highest budget, each once.
      List<Long> expected = new ArrayList<>();
      for (long s = 10; s <= budget; s += 10) {
        expected.add(s);
      }
      assertEquals(budget, result.steps(), result.toJson());
      assertEquals(expected, result.history().stream().map(TrialResult.Evaluation::step).toList(), e.getKey());
    }
    // ASHA's end state: every rung's top floor(n / eta) by its logged outcome went on.
    for (int k = 0; k < 2; k++) {
      int rung = k;
      List<Job> finished = new ArrayList<>(log.jobs().stream().filter(j -> j.rung() == rung).toList());
      finished.sort(Comparator.comparingDouble((Job j) -> {
        Outcome o = log.outcomes().get(j.index());
        return o.status() == TrialStatus.COMPLETED ? o.metric() : Double.MAX_VALUE;
      }).thenComparing(Job::trial));
      List<String> next = log.jobs().stream().filter(j -> j.rung() == rung + 1).map(Job::trial).toList();
      for (Job top : finished.subList(0, finished.size() / 2)) {
        assertTrue(next.contains(top.trial()), top + " is in rung " + rung + "'s top half: " + log.jobs());
      }
    }
    long counted = 0;
    for (MetricResult<Long> c : run.metrics().queryMetrics(MetricsFilter.builder().addNameFilter(
        MetricNameFilter.named(RunTrials.SEARCH_NAMESPACE, RunTrials.STEPS_TRAINED)).build()).getCounters()) {
      counted += c.getAttempted();
    }
    assertEquals(expectedSteps, counted, "steps_trained counts each job's new steps");
  }

  @Test
  void aJobLeftUnfinishedByADeadWorkerIsResumedFromItsLastCheckpoint() {
    OutputLayout out = new OutputLayout(tmp.resolve("resume").toString());
    List<Trial> trials = List.of(linear(0, 0.03), linear(1, 0.1), linear(2, 0.01));
    AshaSchedule schedule = AshaSchedule.of(20, 40, 2, 3, 0, MetricSpec.defaultMetric());
    // A worker numbered 3 (of an earlier run with 4) claimed trial-0000 up to 20 steps, checkpointed
    // at step 10 and died.
    TrialSettings settings = settings(out, 40);
    new TrialExecutor(settings.withTrainSteps(10)).execute(trials.get(0));
    JobLog earlier = new JobLog(out.jobLog(), Storages.forPath(out.jobLog()));
    assertTrue(earlier.claim(new Job(0, Trial.idOf(0), 0, 20, 3), trials.get(0)));

    run(trials, schedule, 2, settings);

    JobLog.Snapshot log = log(out);
    assertTrue(log.unfinished().isEmpty());
    assertEquals(TrialStatus.COMPLETED, log.outcomes().get(0).status());
    assertEquals(1, log.jobs().stream().filter(j -> j.rung() == 0 && j.trial().equals(Trial.idOf(0))).count(),
        "the dead worker's job was finished, not claimed again");
    TrialResult resumed = readResult(out, Trial.idOf(0));
    List<Long> steps = resumed.history().stream().map(TrialResult.Evaluation::step).toList();
    assertEquals(10L, steps.get(0));
    assertEquals(steps.stream().distinct().toList(), steps, "no step evaluated twice: " + steps);
    assertEquals(steps.get(steps.size() - 1).longValue(), resumed.steps(), "it resumed rather than restarting");
  }

  @Test
  void oneWorkerMakesTheSameDecisionsEveryRun() {
    List<Trial> trials = List.of(
        linear(0, 0.001), linear(1, 0.1), linear(2, 0.05), linear(3, 0.03), linear(4, 0.0003), linear(5, 0.3));
    AshaSchedule schedule = AshaSchedule.of(10, 30, 3, 6, 0, MetricSpec.defaultMetric());
    List<List<String>> decisions = new ArrayList<>();
    for (String name : List.of("once", "twice")) {
      OutputLayout out = new OutputLayout(tmp.resolve("deterministic-" + name).toString());
      run(trials, schedule, 1, settings(out, 30).withDeterministic(true));
      decisions.add(log(out).jobs().stream().map(j -> j.trial() + "@" + j.rung()).toList());
    }
    assertEquals(decisions.get(0), decisions.get(1));
    assertEquals(8, decisions.get(0).size(), "6 starts and floor(6 / 3) = 2 promotions: " + decisions.get(0));
    assertFalse(decisions.get(0).get(3).endsWith("@0"), "the 4th job promotes the best of the first three");
  }
}
