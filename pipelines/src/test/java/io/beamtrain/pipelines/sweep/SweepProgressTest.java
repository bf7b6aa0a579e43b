package io.beamtrain.pipelines.sweep;

import static io.beamtrain.pipelines.testing.TrialResults.completed;
import static io.beamtrain.pipelines.testing.TrialResults.failed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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

  private SweepProgress progress(OutputLayout layout, SweepProgress.Plan plan, Clock clock, List<String> lines) {
    return new SweepProgress(layout, plan, new MetricSpec("eval_loss", Goal.MINIMIZE),
        StorageConfig.defaults(), clock, new StatusLine(false, System.err, lines::add, 80));
  }

  private static TrialResult running(String trial, long steps) {
    TrialResult r = completed(trial, "eval_loss", 0.5);
    return new TrialResult(r.trial(), TrialStatus.RUNNING, steps, steps, r.metrics(), r.history(),
        r.params(), r.seed(), null, null, 1);
  }

  private static TrialResult completedAt(String trial, long steps, double loss) {
    TrialResult r = completed(trial, "eval_loss", loss);
    return new TrialResult(r.trial(), TrialStatus.COMPLETED, steps, steps, r.metrics(), r.history(),
        r.params(), r.seed(), null, null, 1);
  }

  @Test
  void reportsDoneRunningFailedBestElapsedAndEtaOnlyWhenSomethingFinished() throws Exception {
    OutputLayout layout = new OutputLayout(tmp.toString());
    // A result left finished by an earlier run is done (the run resumes it as it is), not trained.
    write(layout, completed("trial-0003", "eval_loss", 0.01));
    ManualClock clock = new ManualClock();
    List<String> lines = new ArrayList<>();
    SweepProgress progress = progress(layout,
        SweepProgress.Plan.trials(Set.of("trial-0000", "trial-0001", "trial-0002", "trial-0003")), clock, lines);

    progress.poll();
    write(layout, running("trial-0000", 50));
    progress.poll();
    assertEquals(List.of("sweep: 1/4 trials done (1 already done), elapsed 0:00, best eval_loss=0.0100 (trial-0003)"),
        lines, "a RUNNING result is not done");
    assertEquals("sweep: 1/4 trials done (1 already done), 1 running, elapsed 0:00, best eval_loss=0.0100 (trial-0003)",
        progress.line());

    clock.now = clock.now.plusSeconds(30);
    write(layout, completed("trial-0000", "eval_loss", 0.25));
    progress.poll();
    clock.now = clock.now.plusSeconds(30);
    write(layout, failed("trial-0001", "boom"));
    progress.poll();
    progress.poll();
    // The ETA follows this run's pace: the trial done before it took no time.
    assertEquals(List.of(
        "sweep: 1/4 trials done (1 already done), elapsed 0:00, best eval_loss=0.0100 (trial-0003)",
        "sweep: 2/4 trials done (1 already done), elapsed 0:30, ETA 1:00, best eval_loss=0.0100 (trial-0003)",
        "sweep: 3/4 trials done (1 already done), 1 failed, elapsed 1:00, ETA 0:30, best eval_loss=0.0100 (trial-0003)"),
        lines);
  }

  @Test
  void adaptiveStudyCountsStepsAgainstTheBudgetAndTrialsTrainedOnce() throws Exception {
    OutputLayout layout = new OutputLayout(tmp.toString());
    ManualClock clock = new ManualClock();
    List<String> lines = new ArrayList<>();
    // Two trials to 100 steps, the better one on to 300: 2 * 100 + 200 steps.
    SweepProgress progress = progress(layout,
        new SweepProgress.Plan("search", Set.of("trial-0000", "trial-0001"), 400), clock, lines);

    clock.now = clock.now.plusSeconds(20);
    write(layout, completedAt("trial-0000", 100, 0.4));
    write(layout, completedAt("trial-0001", 100, 0.3));
    progress.poll();
    clock.now = clock.now.plusSeconds(20);
    write(layout, running("trial-0001", 200));
    progress.poll();
    assertEquals("search: 300/400 steps, 2/2 trials trained, 1 running, elapsed 0:40, ETA 0:13,"
        + " best eval_loss=0.4000 (trial-0000)", progress.line(),
        "a promoted trial is running again; its rung result no longer competes");
    write(layout, completedAt("trial-0001", 300, 0.2));
    progress.poll();
    assertEquals(List.of(
        "search: 200/400 steps, 2/2 trials trained, elapsed 0:20, ETA 0:20, best eval_loss=0.3000 (trial-0001)",
        "search: 300/400 steps, 2/2 trials trained, 1 running, elapsed 0:40, ETA 0:13, best eval_loss=0.4000 (trial-0000)",
        "search: 400/400 steps, 2/2 trials trained, elapsed 0:40, best eval_loss=0.2000 (trial-0001)"),
        lines);
  }

  @Test
  void onATerminalEveryPollRedrawsTheStatusInPlaceAndCloseEndsTheLine() throws Exception {
    OutputLayout layout = new OutputLayout(tmp.toString());
    ManualClock clock = new ManualClock();
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    SweepProgress progress = new SweepProgress(layout,
        SweepProgress.Plan.trials(Set.of("trial-0000", "trial-0001")), new MetricSpec("eval_loss", Goal.MINIMIZE),
        StorageConfig.defaults(), clock, new StatusLine(true, terminal, line -> fail("logged " + line), 200));

    progress.poll();
    clock.now = clock.now.plusSeconds(10);
    write(layout, completed("trial-0000", "eval_loss", 0.25));
    progress.poll();
    progress.close();

    assertEquals("\rsweep: 0/2 trials done, elapsed 0:00\033[K"
        + "\rsweep: 1/2 trials done, elapsed 0:10, ETA 0:10, best eval_loss=0.2500 (trial-0000)\033[K\n",
        terminal.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aResumedSweepCountsTheTrialsDoneBeforeItAsDoneAndAlreadyDone() throws Exception {
    OutputLayout layout = new OutputLayout(tmp.toString());
    write(layout, completedAt("trial-0000", 100, 0.3));
    write(layout, completedAt("trial-0001", 100, 0.2));
    ManualClock clock = new ManualClock();
    List<String> lines = new ArrayList<>();
    SweepProgress progress = progress(layout,
        SweepProgress.Plan.trials(Set.of("trial-0000", "trial-0001", "trial-0002")), clock, lines);

    progress.poll();
    assertEquals("sweep: 2/3 trials done (2 already done), elapsed 0:00, best eval_loss=0.2000 (trial-0001)",
        progress.line());

    clock.now = clock.now.plusSeconds(30);
    write(layout, completedAt("trial-0002", 100, 0.25));
    write(layout, completedAt("trial-0000", 200, 0.1)); // trained on in this run
    progress.poll();
    assertEquals("sweep: 3/3 trials done (1 already done), elapsed 0:30, best eval_loss=0.1000 (trial-0000)",
        progress.line());
    assertEquals(Set.of("trial-0001"), progress.resumed());
  }

  @Test
  void clockTimeFormats() {
    assertEquals("0:05", SweepProgress.clockTime(Duration.ofSeconds(5)));
    assertEquals("12:34", SweepProgress.clockTime(Duration.ofSeconds(754)));
    assertEquals("1:02:03", SweepProgress.clockTime(Duration.ofSeconds(3723)));
  }
}
