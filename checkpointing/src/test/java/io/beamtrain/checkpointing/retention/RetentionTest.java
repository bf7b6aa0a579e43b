package io.beamtrain.checkpointing.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointManagerOptions;
import io.beamtrain.checkpointing.Goal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retention decisions, table-driven, against Python's documented semantics: {@code max_to_keep}
 * counts recent checkpoints; {@code keep_checkpoint_every_n_hours} judges each checkpoint when it
 * leaves the recent window, oldest first, keeping it if saved at least N hours after
 * {@code last_preserved_timestamp}, which then moves to it.
 */
class RetentionTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  /** Checkpoint {@code step} saved {@code minutes} after T0 with an optional loss (NaN = none). */
  private static Checkpoint at(long step, long minutes, double loss) {
    Map<String, Double> metrics = new HashMap<>();
    if (!Double.isNaN(loss)) {
      metrics.put("loss", loss);
    }
    return new Checkpoint(step, "/d/model.ckpt-" + step, T0.plus(Duration.ofMinutes(minutes)), metrics);
  }

  /** Steps 1..n saved {@code everyMinutes} apart, without metrics. */
  private static List<Checkpoint> series(int n, long everyMinutes) {
    List<Checkpoint> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(at(i + 1, i * everyMinutes, Double.NaN));
    }
    return out;
  }

  /** Steps 1..n with the given losses, 10 minutes apart. */
  private static List<Checkpoint> losses(double... values) {
    List<Checkpoint> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      out.add(at(i + 1, i * 10L, values[i]));
    }
    return out;
  }

  private static List<Long> steps(long... steps) {
    return Arrays.stream(steps).boxed().toList();
  }

  static Stream<Arguments> table() {
    CheckpointManagerOptions.Builder b = CheckpointManagerOptions.builder();
    Instant pythonStart = T0.minusSeconds(1);
    return Stream.of(
        Arguments.of("max_to_keep=5 keeps the 5 newest",
            b.maxToKeep(5).build(), series(7, 10), pythonStart,
            steps(3, 4, 5, 6, 7), steps(), steps(1, 2), pythonStart),
        Arguments.of("fewer than max_to_keep: nothing deleted",
            CheckpointManagerOptions.builder().maxToKeep(5).build(), series(3, 10), pythonStart,
            steps(1, 2, 3), steps(), steps(), pythonStart),
        Arguments.of("max_to_keep=0 keeps all, hourly rule idle",
            CheckpointManagerOptions.builder().maxToKeep(0).keepCheckpointEveryNHours(Duration.ofHours(1)).build(),
            series(9, 20), pythonStart, steps(1, 2, 3, 4, 5, 6, 7, 8, 9), steps(), steps(), pythonStart),
        Arguments.of("max_to_keep=1 keeps only the newest",
            CheckpointManagerOptions.builder().maxToKeep(1).build(), series(4, 10), pythonStart,
            steps(4), steps(), steps(1, 2, 3), pythonStart),
        Arguments.of("every 1h among 20-minute saves: the ones at 60 and 120 min are preserved, unlisted",
            CheckpointManagerOptions.builder().maxToKeep(2).keepCheckpointEveryNHours(Duration.ofHours(1)).build(),
            series(9, 20), pythonStart, steps(8, 9), steps(4, 7), steps(1, 2, 3, 5, 6),
            T0.plus(Duration.ofMinutes(120))),
        Arguments.of("every 1h measured from last_preserved_timestamp, not from the first checkpoint",
            CheckpointManagerOptions.builder().maxToKeep(1).keepCheckpointEveryNHours(Duration.ofHours(1)).build(),
            series(4, 30), T0.minus(Duration.ofMinutes(40)), steps(4), steps(2), steps(1, 3),
            T0.plus(Duration.ofMinutes(30))),
        Arguments.of("exactly N hours after last preserved counts (>=, as Python)",
            CheckpointManagerOptions.builder().maxToKeep(1).keepCheckpointEveryNHours(Duration.ofHours(1)).build(),
            series(3, 60), T0, steps(3), steps(2), steps(1), T0.plus(Duration.ofMinutes(60))),
        Arguments.of("best 2 by loss (min) on top of the 2 newest",
            CheckpointManagerOptions.builder().maxToKeep(2).keepBest(2, "loss", Goal.MINIMIZE).build(),
            losses(0.9, 0.3, 0.5, 0.1, 0.7, 0.8), pythonStart, steps(2, 4, 5, 6), steps(), steps(1, 3), pythonStart),
        Arguments.of("best 1 by loss (max)",
            CheckpointManagerOptions.builder().maxToKeep(1).keepBest(1, "loss", Goal.MAXIMIZE).build(),
            losses(0.9, 0.3, 0.95, 0.1), pythonStart, steps(3, 4), steps(), steps(1, 2), pythonStart),
        Arguments.of("NaN and missing metrics are never best",
            CheckpointManagerOptions.builder().maxToKeep(1).keepBest(2, "loss", Goal.MINIMIZE).build(),
            losses(Double.NaN, 0.4, Double.NaN, 0.6, 0.5), pythonStart, steps(2, 5), steps(), steps(1, 3, 4),
            pythonStart),
        Arguments.of("ties: the more recent checkpoint wins",
            CheckpointManagerOptions.builder().maxToKeep(1).keepBest(1, "loss", Goal.MINIMIZE).build(),
            losses(0.2, 0.2, 0.9), pythonStart, steps(2, 3), steps(), steps(1), pythonStart),
        Arguments.of("best checkpoints leave the window before the hourly rule sees them",
            CheckpointManagerOptions.builder().maxToKeep(1).keepBest(1, "loss", Goal.MINIMIZE)
                .keepCheckpointEveryNHours(Duration.ofMinutes(20)).build(),
            losses(0.5, 0.1, 0.7, 0.9), pythonStart, steps(2, 4), steps(3), steps(1),
            T0.plus(Duration.ofMinutes(20))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(
      String why,
      CheckpointManagerOptions options,
      List<Checkpoint> checkpoints,
      Instant lastPreserved,
      List<Long> keep,
      List<Long> preserved,
      List<Long> delete,
      Instant newLastPreserved) {
    Instant now = checkpoints.get(checkpoints.size() - 1).timestamp();
    RetentionPlan plan = options.retention().plan(checkpoints, new PreservationContext(now, lastPreserved));
    assertEquals(keep, plan.keep().stream().map(Checkpoint::step).toList(), "kept");
    assertEquals(preserved, plan.preserved().stream().map(Checkpoint::step).toList(), "preserved");
    assertEquals(delete, plan.delete().stream().map(Checkpoint::step).toList(), "deleted");
    assertEquals(newLastPreserved, plan.lastPreserved(), "last_preserved_timestamp");
  }
}
