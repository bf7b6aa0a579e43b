package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.Objective;
import io.beamtrain.pipelines.study.OutcomeConstraint;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.sweep.ParetoFile;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The insight views' content: optimisation history, importance, heat map, slices and the Pareto
 * front are computed from the sweep's files, without a browser (ReportBrowserTest renders them).
 */
class InsightViewsTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  static final Instant START = Instant.parse("2026-01-01T10:00:00Z");

  @TempDir Path dir;

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  private static List<String> attributes(String html, String tagStart, String attribute) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile(Pattern.quote(tagStart) + "[^>]*?\\s" + attribute + "=\"([^\"]*)\"").matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void historyFollowsFinishingOrderWithCumulativeStepsAndWallTime() {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    Map<String, Instant> finished = fixture.writeTrialFiles(START);
    SweepSnapshot snapshot = SweepReader.read(dir.toString(), CONFIG, null, CLOCK);

    OptimizationHistory history = OptimizationHistory.of(snapshot);
    List<TrialResult> byFinish = new ArrayList<>(fixture.results);
    byFinish.sort((a, b) -> finished.get(a.trial()).compareTo(finished.get(b.trial())));
    long steps = 0;
    double best = Double.NEGATIVE_INFINITY;
    int k = 0;
    for (TrialResult result : byFinish) {
      steps += result.steps();
      if (result.status() == TrialStatus.FAILED) {
        continue;
      }
      OptimizationHistory.Point point = history.points().get(k++);
      best = Math.max(best, result.metric("eval_accuracy"));
      assertEquals(result.trial(), point.trial());
      assertEquals(steps, point.cumulativeSteps(), result.trial());
      assertEquals(best, point.bestSoFar(), 1e-12, result.trial());
      assertEquals(Duration.between(START, finished.get(result.trial())).toMillis() / 1000.0, point.wallSeconds(), 1.0,
          result.trial());
    }
    assertEquals(11, k);
    assertEquals(11, history.points().size());
    assertTrue(history.hasWallTime());
  }

  @Test
  void pageHasEveryViewWithOnePointPerTrialWithAValue() {
    SweepOutputFixture.finished(dir, 12).writeTrialFiles(START);
    SweepSnapshot snapshot = SweepReader.read(dir.toString(), CONFIG, null, CLOCK);
    String html = ReportPage.render(snapshot);

    assertEquals(2 * 11, count(html, "class=\"history-point"), "one point per trial with a value in each panel");
    assertEquals(2, count(html, "class=\"history-line\""), "one best-so-far line per panel");
    assertTrue(html.contains("id=\"history-time\""));
    // Slices: one plot per searched parameter, 11 points each.
    List<String> sliced = attributes(html, "<svg class=\"chart slice\"", "data-param");
    assertEquals(List.of("learning_rate", "hidden_units", "num_layers", "optimizer"), sliced);
    assertEquals(4 * 11, count(html, "class=\"slice-point"));
    // Importance: one bar per searched parameter; the heat map shows the two largest.
    Map<String, Double> importance =
        ParamImportance.of(snapshot, ParamColumns.of(snapshot.trials(), snapshot.study().domains().keySet()));
    List<String> order = List.copyOf(importance.keySet());
    assertEquals(order, attributes(html, "<rect class=\"importance-bar\"", "data-param"));
    assertEquals(List.of(order.get(0)), attributes(html, "<svg id=\"heatmap\"", "data-x"));
    assertEquals(List.of(order.get(1)), attributes(html, "<svg id=\"heatmap\"", "data-y"));
    assertEquals(11, count(html, "class=\"heat-point"));
    // The fixture's accuracy is driven by the learning rate alone (the other parameters are noise).
    assertEquals("learning_rate", order.get(0), importance.toString());
    // A single-objective study has no Pareto view; a static page no reload.
    assertFalse(html.contains("id=\"pareto\""));
    assertFalse(html.contains("<meta name=\"beamtrain-refresh\""));
    assertFalse(html.contains("id=\"lineage-chart\""), "no lineage, no chart");
  }

  @Test
  void comparedSweepsGetOneHistoryLineEach() {
    Path other = dir.resolve("asha");
    SweepOutputFixture.finished(dir.resolve("random"), 12).writeTrialFiles(START);
    SweepOutputFixture.finished(other, 6).writeTrialFiles(START);
    SweepSnapshot main = SweepReader.read(dir.resolve("random").toString(), CONFIG, null, CLOCK);
    List<SweepSnapshot> compared = SweepReport.readCompared(List.of(other.toString()), main, CONFIG, CLOCK);
    String html = ReportPage.render(main, new PageOptions(compared, 0));

    assertEquals(4, count(html, "class=\"history-line\""), "two sweeps in two panels");
    assertTrue(html.contains("random (RANDOM)"), "legend names the sweep and its algorithm");
    assertTrue(html.contains("asha (RANDOM)"));
  }

  @Test
  void paretoFrontIsHighlightedAndInfeasibleTrialsMarked() {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    StudyObjectives objectives = new StudyObjectives(
        List.of(new Objective("eval_accuracy", Goal.MAXIMIZE), new Objective("eval_loss", Goal.MINIMIZE)),
        List.of(new OutcomeConstraint("eval_accuracy", 0.7, null)),
        "eval_accuracy");
    ParetoFile.write(new OutputLayout(dir.toString()), fixture.results, objectives, CONFIG);
    SweepSnapshot snapshot = SweepReader.read(dir.toString(), CONFIG, null, CLOCK);
    ParetoRecord pareto = snapshot.pareto().orElseThrow();
    long infeasible = fixture.results.stream()
        .filter(r -> Double.isFinite(r.metric("eval_loss")) && r.metric("eval_accuracy") < 0.7)
        .count();
    assertTrue(infeasible > 0, "the fixture has trials below the constraint");
    assertEquals(infeasible, pareto.infeasible().size());

    String html = ReportPage.render(snapshot);
    assertFalse(pareto.front().isEmpty());
    assertEquals(java.util.Set.copyOf(pareto.front()),
        java.util.Set.copyOf(attributes(html, "<circle class=\"pareto-point front\"", "data-trial")));
    assertEquals(pareto.front().size(), count(html, "class=\"pareto-point front\""));
    assertEquals(infeasible, count(html, "class=\"pareto-point infeasible\""));
    assertTrue(html.contains("infeasible: eval_accuracy"), "hover names the broken constraint");
  }

  @Test
  void lineageChartDrawsAnArrowPerExploitFromTheDonor() {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 6);
    String donor = fixture.best().trial();
    String recipient = SweepOutputFixture.trialId(fixture.best().trial().equals(SweepOutputFixture.trialId(0)) ? 1 : 0);
    fixture.results.replaceAll(r -> r.trial().equals(recipient)
        ? r.withLineage(List.of(
            new TrialResult.Exploit(400, donor, Map.of("learning_rate", 0.01), Map.of("learning_rate", 0.012)),
            new TrialResult.Exploit(800, donor, Map.of("learning_rate", 0.012), Map.of("learning_rate", 0.0096))))
        : r);
    fixture.writeResultsJsonl();
    String html = ReportPage.render(SweepReader.read(dir.toString(), CONFIG, null, CLOCK));

    assertEquals(List.of(recipient, recipient), attributes(html, "<path class=\"lineage-edge\"", "data-trial"));
    assertTrue(html.contains(recipient + " took " + donor + "&#39;s checkpoint of step 400: learning_rate 0.01 \u2192 0.012"));
    assertEquals(6, count(html, "<line class=\"lineage-track\""), "one track per member");
  }
}
