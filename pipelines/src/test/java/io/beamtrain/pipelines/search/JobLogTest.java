package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.search.AshaSchedule.Outcome;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ASHA's job log on local disk and on gs:// (the test server, which answers 412 to a lost claim). */
class JobLogTest {
  static GcsTestServer server;
  @TempDir Path tmp;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start().createBucket("sweeps");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private JobLog log(String dir) {
    return new JobLog(dir, Storages.forPath(dir, server.storageConfig()));
  }

  private String local() {
    return tmp.resolve("sweep/search").toString();
  }

  @Test
  void aClaimedIndexCannotBeClaimedAgainLocallyOrOnGcs() {
    for (String dir : List.of(local(), "gs://sweeps/a/search")) {
      JobLog first = log(dir);
      JobLog second = log(dir);
      assertTrue(first.claim(new Job(0, "trial-0000", 0, 30, 0)), dir);
      assertFalse(second.claim(new Job(0, "trial-0001", 0, 30, 1)), dir + ": index 0 is taken");
      JobLog.Snapshot seen = second.read();
      assertEquals(List.of(new Job(0, "trial-0000", 0, 30, 0)), seen.jobs(), dir);
      assertEquals(1, seen.nextIndex());
      assertTrue(second.claim(new Job(1, "trial-0001", 0, 30, 1)), dir);
    }
    assertTrue(server.requests(r -> r.status() == 412).size() >= 1, "the lost claim on gs:// was a 412");
  }

  @Test
  void outcomesRoundTripIncludingAMissingMetric() {
    String dir = "gs://sweeps/b/search";
    JobLog writer = log(dir);
    writer.claim(new Job(0, "trial-0000", 0, 30, 0));
    writer.claim(new Job(1, "trial-0001", 0, 30, 0));
    writer.claim(new Job(2, "trial-0000", 1, 90, 1));
    writer.finish(0, new Outcome(TrialStatus.COMPLETED, 0.8125, 30));
    writer.finish(1, new Outcome(TrialStatus.FAILED, Double.NaN, 0));

    JobLog.Snapshot read = log(dir).read();
    assertEquals(3, read.jobs().size());
    assertEquals(new Outcome(TrialStatus.COMPLETED, 0.8125, 30), read.outcomes().get(0));
    assertEquals(TrialStatus.FAILED, read.outcomes().get(1).status());
    assertTrue(Double.isNaN(read.outcomes().get(1).metric()));
    assertEquals(List.of(read.jobs().get(2)), read.unfinished());
  }

  @Test
  void aStartRecordsTheTrialsParametersForEveryReader() {
    String dir = "gs://sweeps/c/search";
    java.util.SortedMap<String, Object> params = new java.util.TreeMap<>(
        java.util.Map.of("learning_rate", 0.0123, "hidden_units", 64, "optimizer", "adam"));
    io.beamtrain.pipelines.study.Trial trial = new io.beamtrain.pipelines.study.Trial("trial-0007", 7, params, 99L);
    JobLog writer = log(dir);
    assertTrue(writer.claim(new Job(0, "trial-0007", 0, 30, 0), trial));
    assertTrue(writer.claim(new Job(1, "trial-0007", 1, 90, 0)));
    JobLog.Snapshot read = log(dir).read();
    assertEquals(java.util.Map.of("trial-0007", trial), read.trials());
    assertEquals(trial, writer.trial("trial-0007"));
  }

  @Test
  void aGapInTheLogNamesTheMissingFile() {
    String dir = local();
    JobLog log = log(dir);
    log.claim(new Job(0, "trial-0000", 0, 30, 0));
    log.claim(new Job(1, "trial-0001", 0, 30, 0));
    Storage storage = Storages.forPath(dir, server.storageConfig());
    storage.delete(log.path(0));
    BadInputException e = assertThrows(BadInputException.class, () -> log(dir).read());
    assertTrue(e.getMessage().contains("job-000000.json"), e.getMessage());
  }

  @Test
  void racingWorkersTakeEachIndexExactlyOnce() throws Exception {
    for (String dir : List.of(local() + "-race", "gs://sweeps/race/search")) {
      int workers = 4;
      int jobs = 40;
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(workers);
      List<Future<List<Integer>>> won = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int worker = w;
        Callable<List<Integer>> claimLoop = () -> {
          JobLog log = log(dir);
          List<Integer> mine = new ArrayList<>();
          go.await();
          while (true) {
            int next = log.read().nextIndex();
            if (next >= jobs) {
              return mine;
            }
            if (log.claim(new Job(next, "trial-" + worker, 0, 30, worker))) {
              mine.add(next);
            }
          }
        };
        won.add(pool.submit(claimLoop));
      }
      go.countDown();
      Set<Integer> all = new HashSet<>();
      int total = 0;
      for (Future<List<Integer>> f : won) {
        total += f.get().size();
        all.addAll(f.get());
      }
      pool.shutdown();
      assertEquals(jobs, total, dir + ": no index claimed twice");
      assertEquals(jobs, all.size(), dir);
      // Every claim file says who won it.
      List<Job> logged = log(dir).read().jobs();
      for (Future<List<Integer>> f : won) {
        for (int index : f.get()) {
          assertEquals("trial-" + logged.get(index).worker(), logged.get(index).trial());
        }
      }
    }
  }
}
