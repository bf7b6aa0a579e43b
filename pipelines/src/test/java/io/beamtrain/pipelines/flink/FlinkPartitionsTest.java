package io.beamtrain.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** {@link FlinkPartitions}: keys per subtask and the job parallelism read from the options. */
class FlinkPartitionsTest {
  @Test
  void everySubtaskGetsAKeyThatReachesIt() {
    for (int parallelism : new int[] {1, 2, 3, 4, 7, 16}) {
      for (int target = 0; target < parallelism; target++) {
        assertEquals(target, FlinkPartitions.subtaskOf(FlinkPartitions.keyFor(target, parallelism), parallelism));
      }
    }
  }

  @Test
  void refusesASubtaskOutsideTheJob() {
    assertThrows(IllegalArgumentException.class, () -> FlinkPartitions.keyFor(4, 4));
    assertThrows(IllegalArgumentException.class, () -> FlinkPartitions.keyFor(0, 0));
  }

  @Test
  void readsTheParallelismOfFlinkOptionsOnly() {
    assertEquals(6, FlinkPartitions.parallelism(
        PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--parallelism=6").create()));
    assertEquals(0, FlinkPartitions.parallelism(PipelineOptionsFactory.fromArgs("--runner=FlinkRunner").create()));
    assertEquals(0, FlinkPartitions.parallelism(PipelineOptionsFactory.create()));
  }
}
