package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a {@link SweepSnapshot} as one self-contained HTML page: the template, style sheet and
 * script are resources of this package inlined into the page, the plots are inline SVG, and a
 * Content-Security-Policy forbids every fetch, so the file opens offline and from any bucket. The
 * plots and table are complete without the script; the script adds sorting on a header click and
 * highlighting of one trial across table and plots. Stateless and thread-safe.
 */
public final class ReportPage {
  private static final Pattern SLOT = Pattern.compile("\\{\\{([a-z]+)\\}\\}");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private ReportPage() {}

  /** The page's HTML, of one sweep, not reloading. */
  public static String render(SweepSnapshot snapshot) {
    return render(snapshot, PageOptions.STATIC);
  }

  /** The page's HTML with the compared sweeps' histories, reloading itself if {@code options} say so. */
  public static String render(SweepSnapshot snapshot, PageOptions options) {
    ParamColumns params = ParamColumns.of(snapshot.trials(), snapshot.study().domains().keySet());
    TrialColors colors = new TrialColors(snapshot);
    String metric = snapshot.metric().name();
    Map<String, Double> importance = ParamImportance.of(snapshot, params);
    List<HistoryChart.Series> series = new ArrayList<>();
    series.add(new HistoryChart.Series(label(snapshot), OptimizationHistory.of(snapshot)));
    options.compared().forEach(other -> series.add(new HistoryChart.Series(label(other), OptimizationHistory.of(other))));
    Map<String, String> slots =
        Map.ofEntries(
            Map.entry("live", options.refreshSeconds() > 0
                ? "<meta name=\"beamtrain-refresh\" content=\"" + options.refreshSeconds() + "\">" : ""),
            Map.entry("history", HistoryChart.render(snapshot, series)),
            Map.entry("importance", ImportanceChart.render(importance, scored(snapshot))),
            Map.entry("heatmap", HeatMapChart.render(snapshot, importance, colors)),
            Map.entry("slices", SliceCharts.render(snapshot, params, colors)),
            Map.entry("pareto", ParetoChart.render(snapshot)),
            Map.entry("lineage", LineageTable.render(snapshot, colors)),
            Map.entry("title", Html.escape("Sweep report: " + snapshot.outputDir())),
            Map.entry("css", resource("report.css")),
            Map.entry("script", resource("report.js")),
            Map.entry("header", header(snapshot)),
            Map.entry("best", BestTrialPanel.render(snapshot)),
            Map.entry("curves", LearningCurvesChart.render(snapshot, colors)),
            Map.entry("parallel", ParallelCoordinatesChart.render(snapshot, params, colors)),
            Map.entry("table", TrialsTable.render(snapshot, params, colors)),
            Map.entry("metric", Html.escape(metric)),
            Map.entry("footer", footer(snapshot)));
    // One pass over the template: text inserted into a slot is never scanned for slots again.
    Matcher matcher = SLOT.matcher(resource("report.html"));
    StringBuilder page = new StringBuilder();
    while (matcher.find()) {
      String value = slots.get(matcher.group(1));
      if (value == null) {
        throw new IllegalStateException("report.html template: unknown slot " + matcher.group());
      }
      matcher.appendReplacement(page, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(page);
    return page.toString();
  }

  private static int scored(SweepSnapshot snapshot) {
    return (int) snapshot.trials().stream().filter(t -> Double.isFinite(t.metric(snapshot.metric().name()))).count();
  }

  /** A sweep's name in legends: its directory's last segment and its study's algorithm. */
  static String label(SweepSnapshot snapshot) {
    String dir = snapshot.outputDir().replaceAll("/+$", "");
    String name = dir.substring(dir.lastIndexOf('/') + 1);
    String algorithm = snapshot.study().algorithm();
    return algorithm == null ? name : name + " (" + algorithm + ")";
  }

  private static String header(SweepSnapshot snapshot) {
    StringBuilder html = new StringBuilder("<p class=\"output\"><code>")
        .append(Html.escape(snapshot.outputDir())).append("</code></p><ul class=\"chips\">");
    html.append("<li>").append(snapshot.trials().size()).append(" trials</li>");
    snapshot.statusCounts().forEach(
        (status, count) ->
            html.append("<li class=\"status ").append(TrialsTable.statusClass(status)).append("\">")
                .append(count).append(' ').append(Html.escape(status)).append("</li>"));
    html.append("<li>metric <code>").append(Html.escape(snapshot.metric().name())).append("</code> ")
        .append(snapshot.metric().goal() == Goal.MAXIMIZE ? "maximized" : "minimized").append("</li>");
    html.append("</ul>");
    return html.toString();
  }

  private static String footer(SweepSnapshot snapshot) {
    return "Read " + Html.escape(TIME.format(snapshot.readAt())) + " from " + Html.escape(snapshot.source())
        + ". Scalars and the HParams dashboard: <code>tensorboard --logdir "
        + Html.escape(snapshot.outputDir()) + "</code>";
  }

  static String resource(String name) {
    try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " of " + ReportPage.class.getPackageName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading resource " + name, e);
    }
  }
}
