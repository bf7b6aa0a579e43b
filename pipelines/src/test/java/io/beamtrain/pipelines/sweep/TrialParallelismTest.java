package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class TrialParallelismTest {

  private static PipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).create();
  }

  @Test
  void explicitTrialsPerWorkerWinsButNeverExceedsTheTrials() {
    assertEquals(2, TrialParallelism.resolve(options("--targetParallelism=6"), 2, 8));
    assertEquals(3, TrialParallelism.resolve(options(), 5, 3));
  }

  @Test
  void directRunnerUsesItsTargetParallelism() {
    assertEquals(4, TrialParallelism.resolve(options("--targetParallelism=4"), 0, 8));
    assertEquals(2, TrialParallelism.resolve(options("--targetParallelism=4"), 0, 2));
  }

  @Test
  void flinkRunnerUsesItsParallelism() {
    PipelineOptions flink = options("--runner=FlinkRunner", "--parallelism=3");
    assertEquals(FlinkRunner.class, flink.getRunner());
    assertEquals(3, flink.as(FlinkPipelineOptions.class).getParallelism());
    assertEquals(3, TrialParallelism.resolve(flink, 0, 8));
  }

  @Test
  void directRunnerGetsMoreThreadsThanTrialsAfterResolving() {
    PipelineOptions direct = options("--targetParallelism=3");
    assertEquals(3, TrialParallelism.resolve(direct, 0, 8));
    TrialParallelism.leaveDirectRunnerThreadsForScheduling(direct, 8);
    assertEquals(8 + TrialParallelism.SCHEDULING_THREADS,
        direct.as(DirectOptions.class).getTargetParallelism());
    PipelineOptions flink = options("--runner=FlinkRunner", "--parallelism=3");
    TrialParallelism.leaveDirectRunnerThreadsForScheduling(flink, 8);
    assertEquals(3, flink.as(FlinkPipelineOptions.class).getParallelism());
  }

  @Test
  void trialSlotsCapConcurrentTrials() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<Integer>> done = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      done.add(pool.submit(() -> TrialSlots.run(2, () -> {
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return running.decrementAndGet();
      })));
    }
    for (Future<Integer> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(2, peak.get());
  }

  @Test
  void otherRunnersLeaveItToTheWorkersCores() {
    PipelineOptions dataflow = options("--runner=DataflowRunner");
    assertEquals(0, TrialParallelism.resolve(dataflow, 0, 8));
  }

  @Test
  void workerSideConcurrencyIsCappedByTheTrialCount() {
    int cores = Runtime.getRuntime().availableProcessors();
    TrialSettings settings = new TrialSettings(new OutputLayout("/tmp/x"), "/tmp/x/data",
        MetricSpec.defaultMetric(), 10, 5, 5, 0, 0, 1,
        StorageConfig.defaults(), false);
    assertEquals(1, settings.concurrentTrials());
    TrialSettings many = new TrialSettings(settings.layout(), settings.dataDir(), settings.metric(), 10, 5, 5, 0,
        0, 1000, settings.storage(), false);
    assertEquals(cores, many.concurrentTrials());
  }
}
