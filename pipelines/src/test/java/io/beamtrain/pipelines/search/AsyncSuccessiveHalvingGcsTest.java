package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.FaultRule;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ASHA with its output on gs:// (the in-process GCS test server): two workers coordinate through
 * preconditioned creates alone, and a claim whose response is lost (the object landed, the client
 * could not know, retried and got a 412) is neither lost nor run twice: the storage layer knows the
 * object by its write id, and failing that the worker would find the claim as its own unfinished job.
 */
class AsyncSuccessiveHalvingGcsTest {
  @TempDir static Path tmp;
  static GcsTestServer server;
  static OutputLayout data;

  @BeforeAll
  static void start() {
    server = GcsTestServer.start().createBucket("sweeps");
    data = PenguinsData.preprocessedOutput(tmp);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void twoWorkersOnGcsSurviveALostClaimResponse() {
    StorageConfig storage = server.storageConfig();
    OutputLayout out = new OutputLayout("gs://sweeps/asha");
    List<Trial> trials = new ArrayList<>();
    double[] rates = {0.001, 0.1, 0.03, 0.0003, 0.3, 0.01};
    for (int i = 0; i < rates.length; i++) {
      trials.add(new Trial(Trial.idOf(i), i, new TreeMap<>(Map.of("model", "linear", "learning_rate", rates[i])), 40L + i));
    }
    AshaSchedule schedule = AshaSchedule.of(10, 40, 2, 6, 10_000, MetricSpec.defaultMetric());
    TrialSettings settings = new TrialSettings(out, data.data(), MetricSpec.defaultMetric(), 40, 10, 10, 0, 0, 1,
        storage, false);
    // The create of job 2 lands, but its response never arrives.
    GcsTestServer.ActiveFault lostResponse = server.addFault(
        FaultRule.on("POST", "/upload/.*").forObject("asha/search/job-000002\\.json").dropResponse().times(1));

    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<TrialResult> results = pipeline.apply(AsyncSuccessiveHalving.of(trials, schedule, 2, settings));
    PAssert.that(results).satisfies(rs -> {
      List<String> ids = new ArrayList<>();
      rs.forEach(r -> ids.add(r.trial()));
      assertEquals(trials.stream().map(Trial::id).toList(), ids.stream().sorted().toList());
      return null;
    });
    pipeline.run().waitUntilFinish();
    assertEquals(1, lostResponse.fired());

    JobLog.Snapshot log = new JobLog(out.jobLog(), Storages.forPath(out.jobLog(), storage)).read();
    assertTrue(log.unfinished().isEmpty(), log.unfinished().toString());
    // Every trial started exactly once (job 2 included), and each job ran once: no trial trained a
    // step twice, so its steps equal its highest job's budget.
    assertEquals(trials.stream().map(Trial::id).toList(),
        log.jobs().stream().filter(j -> j.rung() == 0).map(Job::trial).toList());
    for (Trial trial : trials) {
      int highest = log.jobs().stream().filter(j -> j.trial().equals(trial.id())).mapToInt(Job::budget).max().orElseThrow();
      String path = out.resultJson(trial.id());
      TrialResult result = TrialResult.fromJson(new String(
          Storages.forPath(path, storage).readBytes(path), java.nio.charset.StandardCharsets.UTF_8), path);
      assertEquals(highest, result.steps(), result.toJson());
      assertTrue(server.getObject("sweeps", "asha/trials/" + trial.id() + "/checkpoint").isPresent(), trial.id());
    }
    assertEquals(List.of(0, 1), log.jobs().stream().map(Job::worker).distinct().sorted().toList());
  }
}
