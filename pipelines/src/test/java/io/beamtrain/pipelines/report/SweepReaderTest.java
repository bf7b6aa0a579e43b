package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepReaderTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();

  @TempDir Path dir;

  private SweepSnapshot read(MetricChoice metric) {
    return SweepReader.read(dir.toString(), CONFIG, metric, Clock.systemUTC());
  }

  @Test
  void finishedSweepReadsResultsJsonlAndBestJson() {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    SweepSnapshot snapshot = read(null);

    assertEquals("results.jsonl", snapshot.source());
    assertEquals(12, snapshot.trials().size());
    assertEquals(new MetricChoice("eval_accuracy", Goal.MAXIMIZE), snapshot.metric());
    BestRecord best = snapshot.best().orElseThrow();
    assertTrue(best.exported());
    assertEquals(fixture.best().trial(), best.trial());
    assertEquals(fixture.best().bestStep(), best.step());
    assertTrue(best.checkpoint().endsWith("model.ckpt-" + fixture.best().bestStep()));
    assertTrue(snapshot.exports().stream().allMatch(SweepSnapshot.ExportPath::exists));
    TrialRecord diverged = snapshot.trials().get(SweepOutputFixture.DIVERGED);
    assertEquals("DIVERGED", diverged.status());
    assertTrue(Double.isNaN(diverged.history().get(6).metric("eval_accuracy")), "null in JSON is NaN");
    assertEquals("loss became NaN at step 640", diverged.reason());
    assertEquals(1.5, snapshot.trials().get(SweepOutputFixture.FAILED).params().get("dropout"));
    assertEquals(1, snapshot.ranks().get(fixture.best().trial()));
    assertFalse(snapshot.ranks().containsKey(SweepOutputFixture.trialId(SweepOutputFixture.FAILED)));
  }

  @Test
  void trialFilesNotInResultsJsonlAreAddedAndListedOnesAreNotReread() throws Exception {
    SweepOutputFixture.finished(dir, 3);
    Files.createDirectories(dir.resolve("trials/trial-0001"));
    // A stale per-trial file of a listed trial is ignored: results.jsonl is the sweep's final word.
    Files.writeString(dir.resolve("trials/trial-0001/result.json"), "{\"trial\":\"trial-0001\",\"status\":\"RUNNING\"}");
    Files.createDirectories(dir.resolve("trials/trial-0009"));
    Files.writeString(
        dir.resolve("trials/trial-0009/result.json"),
        "{\"trial\":\"trial-0009\",\"status\":\"RUNNING\",\"steps\":300,\"metrics\":{},\"history\":[],"
            + "\"params\":{\"learning_rate\":0.01},\"future_field\":{\"x\":[1,2]}}");
    SweepSnapshot snapshot = read(null);

    assertEquals(4, snapshot.trials().size());
    assertEquals("COMPLETED", snapshot.trials().get(1).status());
    TrialRecord added = snapshot.trials().get(3);
    assertEquals("trial-0009", added.trial());
    assertEquals("RUNNING", added.status());
    assertEquals(300L, added.steps());
    assertEquals(null, added.bestStep());
    assertEquals("results.jsonl + trials/*/result.json (1)", snapshot.source());
  }

  @Test
  void runningSweepInfersTheMetricAndPicksTheBestSoFar() {
    SweepOutputFixture fixture = SweepOutputFixture.running(dir, 6);
    SweepSnapshot snapshot = read(null);

    assertEquals(new MetricChoice("eval_accuracy", Goal.MAXIMIZE), snapshot.metric());
    BestRecord best = snapshot.best().orElseThrow();
    assertFalse(best.exported());
    assertEquals(fixture.best().trial(), best.trial());
    assertFalse(snapshot.exports().stream().anyMatch(SweepSnapshot.ExportPath::exists));
  }

  @Test
  void runningSweepTakesTheMetricFromStudyJson() {
    SweepOutputFixture fixture = SweepOutputFixture.running(dir, 6);
    fixture.write("study.json", "{\"metric\":{\"name\":\"eval_loss\",\"goal\":\"MINIMIZE\"},\"parameters\":"
        + "[{\"name\":\"learning_rate\",\"type\":\"DOUBLE\",\"min\":1e-4,\"max\":0.1,\"scale\":\"LOG\"}],"
        + "\"unknown\":true}");
    SweepSnapshot snapshot = read(null);

    assertEquals(new MetricChoice("eval_loss", Goal.MINIMIZE), snapshot.metric());
    StudyFile.Domain lr = snapshot.study().domains().get("learning_rate");
    assertTrue(lr.isRange() && lr.log());
    assertEquals(1e-4, lr.min());
  }

  @Test
  void askedForMetricRanksTrials() {
    SweepOutputFixture.running(dir, 6);
    SweepSnapshot snapshot = read(new MetricChoice("eval_loss", Goal.MINIMIZE));

    List<TrialRecord> ranked = snapshot.ranked();
    for (int i = 1; i < ranked.size(); i++) {
      double previous = ranked.get(i - 1).metric("eval_loss");
      double current = ranked.get(i).metric("eval_loss");
      assertTrue(!Double.isFinite(current) || previous <= current, ranked.toString());
    }
    assertEquals(ranked.get(0).trial(), snapshot.bestTrial());
  }

  @Test
  void metricInference() {
    assertEquals(new MetricChoice("eval_rmse", Goal.MINIMIZE), MetricChoice.infer(List.of("eval_loss", "eval_rmse")));
    assertEquals(new MetricChoice("eval_auc", Goal.MAXIMIZE), MetricChoice.infer(List.of("eval_auc")));
    assertEquals(new MetricChoice("my_score", Goal.MINIMIZE), MetricChoice.infer(List.of("my_score")));
    assertEquals(new MetricChoice("eval_loss", Goal.MINIMIZE), MetricChoice.infer(List.of()));
  }

  @Test
  void badLineIsNamedWithFileAndLine() throws Exception {
    SweepOutputFixture.finished(dir, 3);
    Files.writeString(dir.resolve("results.jsonl"), "\n{not json}\n", java.nio.file.StandardOpenOption.APPEND);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(null));
    assertTrue(e.getMessage().contains("results.jsonl:5: not valid JSON"), e.getMessage());
  }

  @Test
  void historyWithoutStepIsNamed() throws Exception {
    Files.createDirectories(dir.resolve("trials/t1"));
    Files.writeString(
        dir.resolve("trials/t1/result.json"),
        "{\"trial\":\"t1\",\"status\":\"RUNNING\",\"history\":[{\"step\":1},{\"eval_loss\":2}]}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(null));
    assertTrue(e.getMessage().contains("trials/t1/result.json: field 'history[1].step'"), e.getMessage());
  }

  @Test
  void missingTrialIdIsNamed() throws Exception {
    Files.writeString(dir.resolve("results.jsonl"), "{\"status\":\"COMPLETED\"}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(null));
    assertTrue(e.getMessage().contains("results.jsonl:1: missing field 'trial'"), e.getMessage());
  }

  @Test
  void badGoalInBestJsonIsNamed() throws Exception {
    SweepOutputFixture.finished(dir, 2);
    Files.writeString(
        dir.resolve("best/best.json"),
        "{\"trial\":\"trial-0000\",\"metric\":{\"name\":\"eval_loss\",\"goal\":\"SMALLER\",\"value\":1}}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(null));
    assertTrue(e.getMessage().contains("best.json: field 'metric.goal' is 'SMALLER'"), e.getMessage());
  }

  @Test
  void directoryWithoutResultsIsRejectedNamingTheFlag() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(null));
    assertTrue(e.getMessage().startsWith("--output=" + dir + ": no results.jsonl"), e.getMessage());
  }

  @Test
  void sweepWithTrialsButNoResultsYetGivesAnEmptyReport() throws Exception {
    Files.createDirectories(dir.resolve("trials/trial-0000"));
    Files.writeString(dir.resolve("trials/trial-0000/params.json"), "{}");
    SweepSnapshot snapshot = read(null);
    assertEquals(List.of(), snapshot.trials());
    assertTrue(snapshot.best().isEmpty());
    assertTrue(ReportPage.render(snapshot).contains("No evaluation of eval_loss yet."));
  }
}
