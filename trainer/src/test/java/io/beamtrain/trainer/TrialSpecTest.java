package io.beamtrain.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrialSpecTest {
  private static TrialSpec.Builder minimal() {
    return TrialSpec.builder().dataDir("gs://b/run/data").trialDir("gs://b/run/trials/trial-0004");
  }

  @Test
  void defaultsAndDerivedValues() {
    TrialSpec spec = minimal().build();
    assertEquals("trial-0004", spec.trialId());
    assertEquals(TrialSpec.DEFAULT_TRAIN_STEPS, spec.trainSteps());
    assertEquals(MetricSpec.defaultMetric(), spec.metric());
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(cores, spec.effectiveIntraOpThreads());
    assertEquals(Math.max(1, cores / 4), minimal().concurrentTrials(4).build().effectiveIntraOpThreads());
    assertEquals(1, minimal().concurrentTrials(1000).build().effectiveIntraOpThreads());
    assertEquals(3, minimal().intraOpThreads(3).concurrentTrials(8).build().effectiveIntraOpThreads());
    // Evaluation once per epoch unless given; checkpoints with evaluations unless given.
    assertEquals(2503, spec.evalEverySteps(160_134, 64));
    assertEquals(2503, spec.checkpointEverySteps(160_134, 64));
    assertEquals(TrialSpec.MIN_AUTO_EVAL_EVERY_STEPS, spec.evalEverySteps(275, 64));
    TrialSpec given = minimal().evalEverySteps(50).checkpointEverySteps(200).build();
    assertEquals(50, given.evalEverySteps(160_134, 64));
    assertEquals(200, given.checkpointEverySteps(160_134, 64));
    assertEquals(50, minimal().evalEverySteps(50).build().checkpointEverySteps(160_134, 64));
  }

  private static TrialSpec.Builder auto() {
    return minimal().stepsPerExecution(0);
  }

  @Test
  void stepsPerExecutionIsAsGivenOrGrowsWithTheTrainSteps() {
    assertEquals(0, minimal().build().stepsPerExecution(), "automatic by default");
    assertEquals(20, minimal().trainSteps(1_000_000).build().effectiveStepsPerExecution());
    assertEquals(1, minimal().trainSteps(1_000_000).stepsPerExecution(1).build().effectiveStepsPerExecution());
    assertEquals(1, auto().trainSteps(1000).build().effectiveStepsPerExecution());
    assertEquals(1, auto().trainSteps(1999).build().effectiveStepsPerExecution());
    assertEquals(2, auto().trainSteps(2000).build().effectiveStepsPerExecution());
    assertEquals(5, auto().trainSteps(9999).build().effectiveStepsPerExecution());
    assertEquals(10, auto().trainSteps(10_000).build().effectiveStepsPerExecution());
    assertEquals(20, auto().trainSteps(1_000_000).build().effectiveStepsPerExecution());
    assertEquals(7, minimal().trainSteps(100).stepsPerExecution(7).build().effectiveStepsPerExecution());
    assertEquals(3, minimal().stepsPerExecution(3).build().toBuilder().build().stepsPerExecution());
    assertEquals(
        "TrialSpec: stepsPerExecution must be in [0, 100] (0 = auto), was 101",
        assertThrows(IllegalArgumentException.class, () -> minimal().stepsPerExecution(101).build()).getMessage());
    assertThrows(IllegalArgumentException.class, () -> minimal().stepsPerExecution(-1).build());
  }

  @Test
  void deterministicMeansOneThreadOfEachKind() {
    TrialSpec spec = minimal().deterministic(true).concurrentTrials(1).build();
    assertEquals(1, spec.effectiveIntraOpThreads());
    assertEquals(1, spec.effectiveInterOpThreads());
    assertEquals(true, spec.toBuilder().build().deterministic());
    assertEquals(false, minimal().build().deterministic());
    assertEquals(
        "TrialSpec: deterministic runs on 1 intra-op and 1 inter-op thread; intraOpThreads=2 and "
            + "interOpThreads=0 contradict it",
        assertThrows(IllegalArgumentException.class,
            () -> minimal().deterministic(true).intraOpThreads(2).build()).getMessage());
  }

  @Test
  void serializesForBeamWorkers() throws Exception {
    TrialSpec spec = minimal().params(Map.of("learning_rate", 0.1, "hidden_layers", "8,8")).seed(9).build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      TrialSpec back = (TrialSpec) in.readObject();
      assertEquals(spec.params(), back.params());
      assertEquals(spec.toString(), back.toString());
    }
  }

  @Test
  void invalidFieldsAreNamed() {
    assertEquals(
        "TrialSpec: trainSteps must be >= 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> minimal().trainSteps(0).build()).getMessage());
    assertEquals(
        "TrialSpec: dataDir is required",
        assertThrows(IllegalArgumentException.class, () -> TrialSpec.builder().trialDir("x").build()).getMessage());
    assertEquals(
        "TrialSpec: earlyStoppingPatience must be >= 0 (0 = off), was -1",
        assertThrows(IllegalArgumentException.class, () -> minimal().earlyStoppingPatience(-1).build()).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new MetricSpec("accuracy", io.beamtrain.checkpointing.Goal.MAXIMIZE));
  }
}
