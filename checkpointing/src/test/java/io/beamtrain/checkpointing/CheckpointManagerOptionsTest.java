package io.beamtrain.checkpointing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointManagerOptionsTest {

  @Test
  void defaultsMatchPythonAndTheArchitecture() {
    CheckpointManagerOptions o = CheckpointManagerOptions.defaults();
    assertEquals(5, o.maxToKeep());
    assertEquals(Optional.empty(), o.keepCheckpointEveryNHours());
    assertEquals(Optional.empty(), o.keepBest());
    assertEquals(false, o.async());
    assertEquals(2, o.asyncQueueCapacity());
    assertEquals(CheckpointManagerOptions.SnapshotMode.IN_GRAPH, o.snapshotMode());
    assertEquals("model.ckpt", o.checkpointBasename());
    assertEquals("the 5 most recent", o.retention().listed().describe());
  }

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().maxToKeep(-1).build(), "was -1"),
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().asyncQueueCapacity(0).build(), "asyncQueueCapacity must be >= 1, was 0"),
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().keepCheckpointEveryNHours(Duration.ZERO).build(), "was PT0S"),
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().keepCheckpointEveryNHours(Duration.ofHours(-2)).build(), "was PT-2H"),
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().checkpointBasename("a/b").build(), "was 'a/b'"),
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().checkpointBasename(" ").build(), "was ' '"),
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().keepBest(0, "eval_loss", Goal.MINIMIZE).build(), "n >= 1, was 0"),
        Arguments.of((Supplier<?>) () -> CheckpointManagerOptions.builder().keepBest(2, "", Goal.MINIMIZE).build(), "metric name, was ''"));
  }

  @ParameterizedTest
  @MethodSource("badOptions")
  void rejectsBadValuesQuotingThem(Supplier<?> build, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void retentionCombinesRules() {
    CheckpointManagerOptions o =
        CheckpointManagerOptions.builder()
            .maxToKeep(3)
            .keepBest(2, "eval_auc", Goal.MAXIMIZE)
            .keepCheckpointEveryNHours(Duration.ofHours(2))
            .build();
    assertEquals("the 3 most recent, the 2 best by eval_auc (MAXIMIZE)", o.retention().listed().describe());
    assertEquals("one every PT2H", o.retention().hourly().orElseThrow().describe());
    assertEquals("all", CheckpointManagerOptions.builder().maxToKeep(0).build().retention().listed().describe());
  }
}
