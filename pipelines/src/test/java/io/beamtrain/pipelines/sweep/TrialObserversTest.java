package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.MetricsSummary;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.pipelines.testing.TestPipelines;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.events.EventFileReader;
import io.beamtrain.trainer.events.HParamsEventFile;
import io.beamtrain.trainer.events.HParamsSessions;
import io.beamtrain.trainer.events.HParamsSummaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;

/**
 * The trial DoFns report checkpoint blocking time, commit latency and throughput as Beam
 * distributions (DirectRunner)
 * and keep one HParams session per trial, started while it trains and ended with its status.
 */
class TrialObserversTest {
  @TempDir static Path tmp;
  static OutputLayout data;

  @BeforeAll
  static void preprocess() {
    data = PenguinsData.preprocessedOutput(tmp);
  }

  private static Trial trial(int index, Map<String, Object> params) {
    return new Trial(Trial.idOf(index), index, new TreeMap<>(params), 1000L + index);
  }

  private static TrialSettings settings(String output, int trainSteps) {
    return new TrialSettings(new OutputLayout(tmp.resolve(output).toString()), data.data(),
        MetricSpec.defaultMetric(), trainSteps, 30, 30, 0, 2, 2, StorageConfig.defaults(), false);
  }

  private static PipelineResult run(
      String name, List<Trial> trials, PTransform<PCollection<Trial>, PCollection<TrialResult>> train) throws Throwable {
    AtomicReference<PipelineResult> result = new AtomicReference<>();
    TestPipelines.run(TrialObserversTest.class, name, p -> {
      p.apply(Create.of(trials).withCoder(SerializableCoder.of(Trial.class))).apply(train);
      PipelineResult r = p.run();
      r.waitUntilFinish();
      result.set(r);
    });
    return result.get();
  }

  private static DistributionResult distribution(PipelineResult result, String name) {
    List<MetricResult<DistributionResult>> found = new java.util.ArrayList<>();
    result.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(RunTrials.METRICS_NAMESPACE, name)).build())
        .getDistributions().forEach(found::add);
    assertEquals(1, found.size(), name + " reported by one step");
    return found.get(0).getAttempted();
  }

  private static List<Path> hparamsFiles(Path trialDir) throws IOException {
    try (Stream<Path> files = Files.list(trialDir)) {
      return files.filter(p -> p.getFileName().toString().contains(HParamsEventFile.SUFFIX)).sorted().toList();
    }
  }

  /** The single HParams summary of an events file: its tag and plugin content. */
  private static Map.Entry<String, ByteString> summary(Path file) {
    List<Event> events = EventFileReader.readAll(file.toString(), StorageConfig.defaults());
    assertEquals(2, events.size(), file + ": version record and one summary");
    var value = events.get(1).getSummary().getValue(0);
    assertEquals(HParamsSummaries.PLUGIN_NAME, value.getMetadata().getPluginData().getPluginName());
    return Map.entry(value.getTag(), value.getMetadata().getPluginData().getContent());
  }

  /** {@code HParamsPluginData.session_end_info.status} (field 4, then 1) of a session end. */
  private static long endStatus(ByteString content) throws IOException {
    ByteString end = UnknownFieldSet.parseFrom(content).getField(4).getLengthDelimitedList().get(0);
    return UnknownFieldSet.parseFrom(end).getField(1).getVarintList().get(0);
  }

  @Test
  void sweepTrialsReportSaveLatencyAndThroughputAndEndTheirSessions() throws Throwable {
    TrialSettings settings = settings("sweep", 60);
    PipelineResult result = run("sweep", List.of(
            trial(0, Map.of("model", "linear", "learning_rate", 0.05)),
            trial(1, Map.of("model", "dnn", "hidden_units", 0))),
        RunTrials.with(settings));

    DistributionResult saves = distribution(result, TrialMetrics.CHECKPOINT_SAVE_MICROS);
    assertEquals(2, saves.getCount(), "checkpoints at steps 30 and 60 of the trial that trained");
    assertTrue(saves.getMin() > 0 && saves.getMax() < 60_000_000, saves.toString());
    DistributionResult commits = distribution(result, TrialMetrics.CHECKPOINT_COMMIT_MICROS);
    assertEquals(saves.getCount(), commits.getCount(), "one commit per checkpoint saved");
    assertTrue(commits.getMin() >= 0 && commits.getMax() < 60_000_000, commits.toString());
    DistributionResult throughput = distribution(result, TrialMetrics.EXAMPLES_PER_SECOND);
    assertEquals(1, throughput.getCount(), "one attempt trained; the failed trial never started");
    assertTrue(throughput.getMin() > 0, throughput.toString());
    String line = MetricsSummary.of(result);
    assertTrue(line.contains("beamtrain.sweep.checkpoint_save_micros=[n=2 "), line);
    assertTrue(line.contains("beamtrain.sweep.examples_per_second=[n=1 "), line);
    assertTrue(line.contains("beamtrain.sweep.checkpoint_commit_micros=[n=2 "), line);

    List<Path> good = hparamsFiles(Path.of(settings.layout().trialDir("trial-0000")));
    assertEquals(2, good.size(), good.toString());
    assertEquals(HParamsSummaries.SESSION_START_INFO_TAG, summary(good.get(0)).getKey());
    assertEquals(HParamsSummaries.SESSION_END_INFO_TAG, summary(good.get(1)).getKey());
    assertEquals(1, endStatus(summary(good.get(1)).getValue()), "STATUS_SUCCESS");
    List<Path> failed = hparamsFiles(Path.of(settings.layout().trialDir("trial-0001")));
    assertEquals(2, failed.size(), "a failed trial is a session too: " + failed);
    assertEquals(2, endStatus(summary(failed.get(1)).getValue()), "STATUS_FAILURE");
  }

  @Test
  void aTrialTrainedInTwoRungsIsOneSessionWithTheLatestEnd() throws Throwable {
    List<Trial> trials = List.of(trial(0, Map.of("model", "linear", "learning_rate", 0.05)));
    TrialSettings full = settings("rungs", 60);
    run("rung0", trials, RunTrials.rung(full).withBudget(30));
    Path trialDir = Path.of(full.layout().trialDir("trial-0000"));
    List<Path> afterFirst = hparamsFiles(trialDir);
    assertEquals(2, afterFirst.size(), afterFirst.toString());
    byte[] start = Files.readAllBytes(afterFirst.get(0));

    PipelineResult second = run("rung1", trials, RunTrials.rung(full));

    List<Path> afterSecond = hparamsFiles(trialDir);
    assertEquals(afterFirst, afterSecond, "no second start, the end replaced in place");
    assertArrayEquals(start, Files.readAllBytes(afterSecond.get(0)), "the start of rung 0 stands");
    assertTrue(afterSecond.get(1).toString().endsWith(HParamsSessions.END_SUFFIX));
    assertEquals(1, endStatus(summary(afterSecond.get(1)).getValue()));
    assertEquals(1, distribution(second, TrialMetrics.CHECKPOINT_SAVE_MICROS).getCount(), "rung 1 saved step 60");
    assertEquals(1, distribution(second, TrialMetrics.CHECKPOINT_COMMIT_MICROS).getCount(), "and committed it");
    assertEquals(1, distribution(second, TrialMetrics.EXAMPLES_PER_SECOND).getCount());
  }

  @Test
  void retrainChallengersReportTheirTrainingAndKeepASession() throws Throwable {
    TrialSettings settings = settings("retrain", 60);
    PipelineResult result = run("retrain", List.of(trial(0, Map.of("model", "linear", "learning_rate", 0.05))),
        RunTrials.with(settings).withWarmStart(WarmStart.none()));

    assertEquals(2, distribution(result, TrialMetrics.CHECKPOINT_SAVE_MICROS).getCount());
    assertEquals(2, distribution(result, TrialMetrics.CHECKPOINT_COMMIT_MICROS).getCount());
    assertEquals(1, distribution(result, TrialMetrics.EXAMPLES_PER_SECOND).getCount());
    List<Path> session = hparamsFiles(Path.of(settings.layout().trialDir("trial-0000")));
    assertEquals(2, session.size(), session.toString());
    assertEquals(HParamsSummaries.SESSION_START_INFO_TAG, summary(session.get(0)).getKey());
    assertEquals(1, endStatus(summary(session.get(1)).getValue()), "STATUS_SUCCESS");
  }

  @Test
  void theSessionStartsWhenTheTrialStartsTraining() throws IOException {
    TrialSettings settings = settings("start", 60);
    Trial trial = trial(0, Map.of("model", "linear"));
    Path trialDir = Path.of(settings.layout().trialDir(trial.id()));

    new TrialObservers(settings).listenerFor(trial).onStart(0);

    List<Path> files = hparamsFiles(trialDir);
    assertEquals(1, files.size(), "running: a start and no end");
    assertEquals(HParamsSummaries.SESSION_START_INFO_TAG, summary(files.get(0)).getKey());
  }
}
