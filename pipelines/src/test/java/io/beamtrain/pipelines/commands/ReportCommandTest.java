package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.report.MetricChoice;
import io.beamtrain.pipelines.report.SweepOutputFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  @TempDir Path dir;

  private static ReportCommand.Options options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(ReportCommand.Options.class);
  }

  @Test
  void writesTheReportOfTheOutputDirectory() throws Exception {
    SweepOutputFixture.finished(dir, 4);
    String path = ReportCommand.run(dir.toString(), StorageConfig.defaults());
    assertEquals(dir.resolve("report.html").toString(), path);
    assertTrue(Files.readString(Path.of(path)).contains("<table id=\"trials\""));
    String byLoss = ReportCommand.run(dir.toString(), options("--metric=eval_loss"), StorageConfig.defaults());
    assertTrue(Files.readString(Path.of(byLoss)).contains("metric <code>eval_loss</code> minimized"));
  }

  @Test
  void metricAndGoalFlags() {
    assertNull(ReportCommand.metric(options()));
    assertEquals(new MetricChoice("eval_loss", Goal.MINIMIZE), ReportCommand.metric(options("--metric=eval_loss")));
    assertEquals(
        new MetricChoice("eval_loss", Goal.MAXIMIZE),
        ReportCommand.metric(options("--metric=eval_loss", "--goal=maximize")));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> ReportCommand.metric(options("--metric=eval_loss", "--goal=up")));
    assertTrue(bad.getMessage().startsWith("--goal=up"), bad.getMessage());
    IllegalArgumentException alone =
        assertThrows(IllegalArgumentException.class, () -> ReportCommand.metric(options("--goal=MAXIMIZE")));
    assertTrue(alone.getMessage().contains("needs --metric"), alone.getMessage());
  }

  @Test
  void directoryThatIsNoSweepIsRejectedNamingTheFlag() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReportCommand.run(dir.toString(), StorageConfig.defaults()));
    assertTrue(e.getMessage().startsWith("--output=" + dir), e.getMessage());
  }

  private static String run(Path dir, String... args) throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    ReportCommand.run(dir.toString(), options(args), StorageConfig.defaults(),
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void tableFormatPrintsTheTrialsAndWritesNoPage() throws Exception {
    SweepOutputFixture.finished(dir, 6);
    String out = run(dir, "--format=table");
    assertTrue(out.lines().anyMatch(l -> l.startsWith("rank  trial")), out);
    assertEquals(1 + 1 + 6 + 1, out.lines().count(), out);
    assertTrue(Files.notExists(dir.resolve("report.html")));
    assertTrue(run(dir, "--format=HTML").startsWith("report: " + dir.resolve("report.html")));
  }

  @Test
  void compareDrawsTheOtherSweepsHistory() throws Exception {
    SweepOutputFixture.finished(dir.resolve("a"), 6);
    SweepOutputFixture.finished(dir.resolve("b"), 6);
    run(dir.resolve("a"), "--compare=" + dir.resolve("b"));
    String html = Files.readString(dir.resolve("a/report.html"));
    assertTrue(html.contains("<path class=\"history-line\" data-sweep=\"1\""), "b's line");
  }

  @Test
  void badReportFlagsAreRejectedNamingTheFlag() {
    SweepOutputFixture.finished(dir, 4);
    IllegalArgumentException format =
        assertThrows(IllegalArgumentException.class, () -> run(dir, "--format=csv"));
    assertEquals("--format=csv: expected html or table", format.getMessage());
    IllegalArgumentException compare =
        assertThrows(IllegalArgumentException.class, () -> run(dir, "--compare=" + dir.resolve("nothing")));
    assertTrue(compare.getMessage().startsWith("--compare=" + dir.resolve("nothing") + ": no results.jsonl"),
        compare.getMessage());
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> run(dir, "--compare=" + dir + ",,"));
    assertTrue(empty.getMessage().startsWith("--compare="), empty.getMessage());
    IllegalArgumentException watchTable =
        assertThrows(IllegalArgumentException.class, () -> run(dir, "--format=table", "--watch"));
    assertTrue(watchTable.getMessage().startsWith("--watch"), watchTable.getMessage());
  }
}
