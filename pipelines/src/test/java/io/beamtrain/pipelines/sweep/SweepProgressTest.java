package io.beamtrain.pipelines.sweep;

import static io.beamtrain.pipelines.testing.TrialResults.completed;
import static io.beamtrain.pipelines.testing.TrialResults.failed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepProgressTest {
  @TempDir Path tmp;

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private void write(OutputLayout layout, TrialResult result) throws Exception {
    Path file = Path.of(layout.resultJson(result.trial()));
    Files.createDirectories(file.getParent());
    Files.writeString(file, result.toPrettyJson());
  }

  @Test
  void reportsDoneBestElapsedAndEtaOnlyWhenSomethingFinished() throws Exception {
    OutputLayout layout = new OutputLayout(tmp.toString());
    // A result left by an earlier run does not count until it is rewritten.
    write(layout, completed("trial-0003", "eval_loss", 0.01));
    ManualClock clock = new ManualClock();
    List<String> lines = new ArrayList<>();
    SweepProgress progress = new SweepProgress(layout,
        Set.of("trial-0000", "trial-0001", "trial-0002", "trial-0003"),
        new MetricSpec("eval_loss", Goal.MINIMIZE), StorageConfig.defaults(), clock, lines::add);

    progress.poll();
    assertEquals(List.of(), lines);

    TrialResult running = completed("trial-0000", "eval_loss", 0.5);
    write(layout, new TrialResult(running.trial(), TrialStatus.RUNNING, 50, 50L, running.metrics(),
        running.history(), running.params(), running.seed(), null, null, 1));
    progress.poll();
    assertEquals(List.of(), lines, "a RUNNING result is not done");

    clock.now = clock.now.plusSeconds(30);
    write(layout, completed("trial-0000", "eval_loss", 0.25));
    progress.poll();
    clock.now = clock.now.plusSeconds(30);
    write(layout, failed("trial-0001", "boom"));
    progress.poll();
    progress.poll();
    assertEquals(List.of(
        "sweep: 1/4 trials done, best trial-0000 eval_loss=0.2500, elapsed 0:30, ETA 1:30",
        "sweep: 2/4 trials done (1 failed), best trial-0000 eval_loss=0.2500, elapsed 1:00, ETA 1:00"),
        lines);
  }

  @Test
  void clockTimeFormats() {
    assertEquals("0:05", SweepProgress.clockTime(Duration.ofSeconds(5)));
    assertEquals("12:34", SweepProgress.clockTime(Duration.ofSeconds(754)));
    assertEquals("1:02:03", SweepProgress.clockTime(Duration.ofSeconds(3723)));
  }
}
