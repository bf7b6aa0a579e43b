package io.beamtrain.trainer;

import io.beamtrain.trainer.train.TrialRunner;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.data.SharedSplits;
import io.beamtrain.trainer.testing.DataDirFixture;
import io.beamtrain.trainer.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trials of one JVM sharing a {@link SharedSplits}: one copy of each split, freed after the last. */
class SharedSplitsTrialTest {
  private static final int TRIALS = 4;

  @TempDir Path tmp;

  private TrialSpec spec(String dataDir, String name, int i) {
    return TrialSpec.builder()
        .dataDir(dataDir)
        .trialDir(tmp.resolve(name).resolve("trial-" + i).toString())
        .seed(100 + i)
        .params(Map.of("learning_rate", 0.01 * (i + 1)))
        .trainSteps(120)
        .evalEverySteps(40)
        .checkpointEverySteps(120)
        .intraOpThreads(1)
        .interOpThreads(1)
        .concurrentTrials(TRIALS)
        .build();
  }

  @Test
  void concurrentTrialsHoldOneCopyOfEachSplitFreedAfterTheLastAndTrainAsIfEachLoadedItsOwn() throws Exception {
    String dataDir = DataDirFixture.penguins().shards(3, 2).write(tmp.resolve("data")).dataDir();
    SharedSplits shared = new SharedSplits();
    // Every trial stops at its first evaluation until all are training: then they hold the data at once.
    CyclicBarrier allTraining = new CyclicBarrier(TRIALS);
    List<int[]> copiesSeen = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(TRIALS);
    List<Future<TrialResult>> futures = new ArrayList<>();
    for (int i = 0; i < TRIALS; i++) {
      TrialSpec spec = spec(dataDir, "shared", i);
      TrainingListener listener = new TrainingListener() {
        private boolean first = true;

        @Override
        public void onEvaluation(long step, Map<String, Double> metrics) {
          if (first) {
            first = false;
            try {
              allTraining.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new IllegalStateException("trials did not all start training", e);
            }
            synchronized (copiesSeen) {
              copiesSeen.add(new int[] {shared.heldCopies(), (int) shared.loads()});
            }
          }
        }
      };
      futures.add(pool.submit(() -> TrialRunner.run(spec, listener, shared)));
    }
    List<TrialResult> sharedResults = new ArrayList<>();
    for (Future<TrialResult> future : futures) {
      sharedResults.add(future.get(300, TimeUnit.SECONDS));
    }
    pool.shutdown();

    // With all four training: the train and the eval split, each loaded once.
    assertEquals(TRIALS, copiesSeen.size());
    for (int[] seen : copiesSeen) {
      assertArrayEquals(new int[] {2, 2}, seen, "held copies, loads while " + TRIALS + " trials train");
    }
    assertEquals(0, shared.heldCopies(), "the splits outlived the last trial");
    assertEquals(0, shared.heldBytes());

    // Bit-identical to each trial loading its own copy, one after another.
    for (int i = 0; i < TRIALS; i++) {
      TrialResult own = TrialRunner.run(spec(dataDir, "own", i));
      TrialResult fromShared = sharedResults.get(i);
      assertEquals(TrialStatus.COMPLETED, fromShared.status(), fromShared.toJson());
      assertEquals(own.history(), fromShared.history());
      assertEquals(own.metrics(), fromShared.metrics());
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve("own/trial-" + i + "/model.ckpt-120.data-00000-of-00001")),
          Files.readAllBytes(tmp.resolve("shared/trial-" + i + "/model.ckpt-120.data-00000-of-00001")),
          "trial " + i + ": weights at step 120 differ");
    }
  }

  @Test
  void aPinKeepsASplitBetweenTrialsAndItsCloseFreesIt() {
    String dataDir = DataDirFixture.penguins().write(tmp.resolve("data")).dataDir();
    SharedSplits shared = new SharedSplits();
    try (SharedSplits.Pin pin = shared.pin()) {
      TrialRunner.run(spec(dataDir, "a", 0), TrainingListener.NONE, shared);
      assertEquals(2, shared.heldCopies(), "pinned: kept for the next trial");
      assertTrue(shared.heldBytes() > 0);
      TrialRunner.run(spec(dataDir, "a", 1), TrainingListener.NONE, shared);
      assertEquals(2, shared.loads(), "the second trial loaded again");
    }
    assertEquals(0, shared.heldCopies());
  }
}
