package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated HTML itself: structure, self-containment, escaping, plot and table content. */
class ReportPageTest {
  static final StorageConfig CONFIG = StorageConfig.defaults();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private String page() throws Exception {
    String path = SweepReport.write(dir.toString(), CONFIG, null, CLOCK);
    assertEquals(dir.resolve("report.html").toString(), path);
    return Files.readString(Path.of(path), StandardCharsets.UTF_8);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  /** The values of {@code attribute} on elements whose opening tag starts with {@code tagStart}. */
  private static List<String> attributes(String html, String tagStart, String attribute) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile(Pattern.quote(tagStart) + "[^>]*?\\s" + attribute + "=\"([^\"]*)\"").matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String section(String html, String start, String end) {
    int from = html.indexOf(start);
    assertTrue(from >= 0, "no " + start);
    return html.substring(from, html.indexOf(end, from) + end.length());
  }

  @Test
  void pageIsSelfContained() throws Exception {
    SweepOutputFixture.finished(dir, 12);
    String html = page();

    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assertEquals(1, count(html, "<script"), "one inline script");
    assertEquals(1, count(html, "<style"), "one inline style sheet");
    for (String external : List.of("src=", "href=", "http://", "https://", "@import", "url(http")) {
      assertFalse(html.contains(external), "page references something outside itself: " + external);
    }
    assertFalse(html.contains("{{"), "every template slot filled");
    assertTrue(html.contains("Read 2026-01-02 03:04:05 UTC from results.jsonl"));
  }

  @Test
  void learningCurvesHaveOneLinePerTrialWithHistory() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    String curves = section(page(), "<svg id=\"curves\"", "</svg>");

    List<String> trials = attributes(curves, "<path class=\"curve", "data-trial");
    List<String> expected =
        fixture.results.stream().filter(r -> !r.history().isEmpty()).map(r -> r.trial()).toList();
    assertEquals(11, expected.size());
    assertEquals(expected.stream().sorted().toList(), trials.stream().sorted().toList());
    String best = fixture.best().trial();
    assertEquals(List.of(best), attributes(curves, "<path class=\"curve best\"", "data-trial"));
    assertEquals(best, trials.get(trials.size() - 1), "the best curve is drawn last, on top");
    // The diverged trial's line ends at its last finite evaluation (steps 100..600: 6 points).
    String diverged = SweepOutputFixture.trialId(SweepOutputFixture.DIVERGED);
    Matcher d = Pattern.compile("data-trial=\"" + diverged + "\" stroke=\"[^\"]+\" d=\"([^\"]+)\"").matcher(curves);
    assertTrue(d.find());
    assertEquals(5, count(d.group(1), " L"), d.group(1));
    assertTrue(curves.contains("class=\"best-point\""));
    // Axes with ticks and titles.
    assertTrue(curves.contains(">training step</text>"));
    assertTrue(curves.contains(">eval_accuracy</text>"));
    assertTrue(count(curves, "class=\"tick-label\"") >= 6);
  }

  @Test
  void parallelCoordinatesHaveOneLinePerTrialAndAnAxisPerSearchedParameter() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    String plot = section(page(), "<svg id=\"parallel\"", "</svg>");

    assertEquals(12, attributes(plot, "<path class=\"pc-line", "data-trial").size());
    assertEquals(
        List.of(SweepOutputFixture.trialId(SweepOutputFixture.FAILED)),
        attributes(plot, "<path class=\"pc-line no-value\"", "data-trial"));
    assertEquals(List.of(fixture.best().trial()), attributes(plot, "<path class=\"pc-line best\"", "data-trial"));
    // Fixed parameters (model, batch_size) are no axes; the metric is the last one.
    assertEquals(
        List.of("learning_rate", "hidden_units", "num_layers", "optimizer", "dropout", "eval_accuracy"),
        attributes(plot, "<g class=\"pc-axis", "data-axis"));
    assertTrue(plot.contains(">learning_rate (log)</text>"), "learning rates span decades");
    assertTrue(plot.contains(">1e-4</text>") && plot.contains(">0.1</text>"));
    assertTrue(plot.contains(">adam</text>") && plot.contains(">sgd</text>"), "categorical ticks");
    assertFalse(plot.contains(">2.5</text>"), "whole-number parameters get whole-number ticks");
    String layers = section(plot, "data-axis=\"num_layers\"", "</g>");
    assertTrue(layers.contains(">4</text>"), "the study's whole range 1..4, not only the values drawn");
    String optimizer = section(plot, "data-axis=\"optimizer\"", "</g>");
    assertTrue(optimizer.indexOf(">sgd</text>") < optimizer.indexOf(">adam</text>"), "the study's order, bottom up");
    assertTrue(plot.contains(">n/a</text>"), "missing values have their row");
  }

  @Test
  void tableHasASortKeyInEveryCellAndStartsWithTheBest() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    String table = section(page(), "<table id=\"trials\"", "</table>");

    List<String> columns = attributes(table, "<th", "data-col");
    assertEquals(
        List.of("rank", "trial", "status", "metric:eval_accuracy", "metric:eval_loss",
            "param:learning_rate", "param:hidden_units", "param:num_layers", "param:optimizer",
            "param:dropout", "steps", "best_step", "time"),
        columns);
    List<String> types = attributes(table, "<th", "data-type");
    assertEquals("number", types.get(columns.indexOf("param:learning_rate")));
    assertEquals("text", types.get(columns.indexOf("param:optimizer")));
    assertEquals("descending", attributes(table, "<th", "data-first").get(3), "maximized: best first");

    List<String> rows = attributes(table, "<tr", "data-trial");
    assertEquals(12, rows.size());
    assertEquals(fixture.best().trial(), rows.get(0));
    assertEquals(SweepOutputFixture.trialId(SweepOutputFixture.FAILED), rows.get(11));
    assertEquals(12 * columns.size(), count(table, "<td data-sort="));
    List<String> keys = attributes(table, "<td", "data-sort");
    assertEquals("1", keys.get(0), "rank of the first row");
    assertEquals(fixture.best().trial(), keys.get(1));
    assertEquals(Double.toString(fixture.best().metric("eval_accuracy")), keys.get(3));
    int failedRow = 11 * columns.size();
    assertEquals("", keys.get(failedRow), "no rank: empty key, sorted last");
    assertEquals("", keys.get(failedRow + 3), "no metric: empty key");
    String notes = section(page(), "<ul class=\"notes\">", "</ul>");
    assertTrue(notes.contains("<strong>trial-0008</strong>: bad hyperparameter &#39;dropout&#39;: 1.5 is not in [0, 1) &amp; &lt;1"), notes);
    assertTrue(notes.contains("<strong>trial-0003</strong>: loss became NaN at step 640"), notes);
    assertEquals(3, count(notes, "<li"), "failed, diverged and stopped trials");
    assertTrue(page().contains("Same in every trial: <code>model=dnn</code> <code>batch_size=64</code>"));
  }

  @Test
  void bestPanelNamesTheWinnerAndItsExports() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.finished(dir, 12);
    String panel = section(page(), "<section class=\"card best-card\"", "</section>");

    assertTrue(panel.contains("<h2>Best trial</h2>"));
    assertTrue(panel.contains(">" + fixture.best().trial() + "</p>"));
    assertTrue(panel.contains(Format.number(fixture.best().metric("eval_accuracy"))));
    assertTrue(panel.contains("at step " + fixture.best().bestStep()));
    assertTrue(panel.contains(Html.escape(dir.resolve("best/saved_model").toString())));
    assertTrue(panel.contains(Html.escape(dir.resolve("best/model.meta").toString())));
    assertTrue(panel.contains("model.ckpt-" + fixture.best().bestStep()));
    assertEquals(2, count(panel, "badge ok\">written"));
  }

  @Test
  void runningSweepShowsTheBestSoFarFromTrialFiles() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.running(dir, 5);
    String html = page();

    assertTrue(html.contains("<h2>Best so far</h2>"));
    assertTrue(html.contains(">" + fixture.best().trial() + "</p>"));
    assertEquals(2, count(html, "badge pending\">not yet"));
    assertTrue(html.contains("from trials/*/result.json (5)"));
    assertEquals(5, count(html, "<tr data-trial="));
  }

  @Test
  void columnsAndAxesFollowTheStudysParameterOrder() throws Exception {
    SweepOutputFixture fixture = SweepOutputFixture.running(dir, 4);
    fixture.write("study.json", "{\"parameters\":[{\"name\":\"optimizer\",\"values\":[\"adam\",\"sgd\"]},"
        + "{\"name\":\"num_layers\",\"type\":\"INTEGER\",\"min\":1,\"max\":3}]}");
    String html = page();

    List<String> columns = attributes(section(html, "<table id=\"trials\"", "</table>"), "<th", "data-col");
    // The study's parameters first, in its order, then the others (hidden_units is the same in
    // these 4 trials, so it is no column).
    assertEquals(
        List.of("param:optimizer", "param:num_layers", "param:learning_rate"),
        columns.stream().filter(c -> c.startsWith("param:")).toList());
    assertEquals(
        List.of("optimizer", "num_layers", "learning_rate", "eval_accuracy"),
        attributes(section(html, "<svg id=\"parallel\"", "</svg>"), "<g class=\"pc-axis", "data-axis"));
  }

  @Test
  void valuesFromTheFilesCannotInjectMarkup() throws Exception {
    String payload = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";
    SweepOutputFixture.finishedWith(
        dir, 3, Map.of("optimizer", payload, "x\"><svg onload=alert(3)>", 1, "{{script}}", "{{css}}"));
    // A hostile trial id as well, written as the sweep would.
    String line = "{\"trial\":\"t\\\"><b>bold</b>\",\"status\":\"COMPLETED\",\"steps\":5,\"best_step\":5,"
        + "\"metrics\":{\"eval_accuracy\":0.5},\"history\":[{\"step\":5,\"eval_accuracy\":0.5}],"
        + "\"params\":{\"optimizer\":\"'onmouseover='alert(4)\"}}\n";
    Files.writeString(dir.resolve("results.jsonl"), line, java.nio.file.StandardOpenOption.APPEND);
    String html = page();

    assertEquals(1, count(html, "<script"), "no script smuggled in");
    assertFalse(html.contains("<img"));
    assertFalse(html.contains("<svg onload"));
    assertFalse(html.contains("<b>bold"));
    assertFalse(html.contains("'onmouseover='"));
    assertTrue(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(html.contains("data-trial=\"t&quot;&gt;&lt;b&gt;bold&lt;/b&gt;\""));
    assertTrue(html.contains("&#39;onmouseover=&#39;alert(4)"));
    assertTrue(html.contains("<button type=\"button\">{{script}}</button>"), "slot names in data stay text");
    assertTrue(html.contains("<td data-sort=\"{{css}}\">{{css}}</td>"), "slot names in data stay text");
    assertEquals(1, count(html, "'use strict'"), "the script was inlined once");
  }
}
