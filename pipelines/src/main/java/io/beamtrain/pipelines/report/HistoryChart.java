package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The optimisation history ({@link OptimizationHistory}): best-so-far of the metric against the
 * cumulative training steps, and against wall time, as a step line per sweep (the report's own
 * first, then each {@code --compare} sweep in its colour), with the report's own trials as points
 * ({@code circle.history-point}, hover shows the trial). Searches of the same data compared so
 * show which finds a good model with less training.
 */
final class HistoryChart {
  static final int WIDTH = 620;
  static final int HEIGHT = 320;
  /** Line colours of the sweeps, the report's own first. */
  static final List<String> PALETTE =
      List.of("#0969da", "#e8590c", "#1a7f37", "#8250df", "#bf3989", "#9a6700");

  /** One sweep's history and its legend label. */
  record Series(String label, OptimizationHistory history) {}

  private HistoryChart() {}

  static String render(SweepSnapshot snapshot, List<Series> series) {
    if (series.get(0).history().points().isEmpty()) {
      return "<p class=\"empty\">No trial has a value of " + Html.escape(snapshot.metric().name()) + " yet.</p>";
    }
    StringBuilder html = new StringBuilder();
    if (series.size() > 1) {
      html.append("<ul class=\"chips sweeps\">");
      for (int i = 0; i < series.size(); i++) {
        html.append("<li data-sweep=\"").append(i).append("\"><span class=\"swatch\" style=\"background:")
            .append(color(i)).append("\"></span>").append(Html.escape(series.get(i).label())).append("</li>");
      }
      html.append("</ul>");
    }
    html.append("<div class=\"pair\">");
    html.append(panel("history-steps", "training steps (all trials)", snapshot, series,
        p -> p.cumulativeSteps()));
    boolean wall = series.stream().allMatch(s -> s.history().points().isEmpty() || s.history().hasWallTime());
    if (wall) {
      html.append(panel("history-time", "wall time (s)", snapshot, series, OptimizationHistory.Point::wallSeconds));
    } else {
      html.append("<p class=\"empty\">No finish times (the storage listed none): no history against wall time.</p>");
    }
    return html.append("</div>").toString();
  }

  static String color(int series) {
    return PALETTE.get(series % PALETTE.size());
  }

  private static String panel(String id, String xTitle, SweepSnapshot snapshot, List<Series> series,
      ToDoubleFunction<OptimizationHistory.Point> x) {
    double maxX = 0;
    List<Double> values = new ArrayList<>();
    for (Series s : series) {
      for (OptimizationHistory.Point p : s.history().points()) {
        maxX = Math.max(maxX, x.applyAsDouble(p));
        values.add(p.value());
      }
    }
    PlotFrame frame = PlotFrame.of(WIDTH, HEIGHT, LinearScale.nice(0, Math.max(1, maxX), 6),
        LearningCurvesChart.valueScale(values));
    String metric = snapshot.metric().name();
    Svg svg = new Svg();
    frame.open(svg, "id=\"" + id + "\" class=\"chart history\" aria-label=\"Best " + Html.escape(metric)
        + " so far against " + xTitle + "\"");
    svg.raw("<defs><clipPath id=\"" + id + "-clip\"><rect x=\"" + frame.left() + "\" y=\"" + frame.top()
        + "\" width=\"" + Svg.n(frame.plotWidth()) + "\" height=\"" + Svg.n(frame.plotHeight())
        + "\"/></clipPath></defs>");
    frame.axes(svg, xTitle, "best " + metric + " so far");
    svg.open("g", "clip-path=\"url(#" + id + "-clip)\"");
    // Compared sweeps first, so the report's own sweep is drawn on top.
    for (int i = series.size() - 1; i >= 0; i--) {
      List<OptimizationHistory.Point> points = series.get(i).history().points();
      if (points.isEmpty()) {
        continue;
      }
      StringBuilder d = new StringBuilder();
      for (int k = 0; k < points.size(); k++) {
        OptimizationHistory.Point p = points.get(k);
        double px = frame.px(x.applyAsDouble(p));
        double py = frame.py(p.bestSoFar());
        d.append(k == 0 ? "M" + Svg.n(px) + " " + Svg.n(py) : " H" + Svg.n(px) + " V" + Svg.n(py));
      }
      svg.raw("<path class=\"history-line\" data-sweep=\"" + i + "\" stroke=\"" + color(i) + "\" d=\"" + d
          + "\"><title>" + Html.escape(series.get(i).label()) + "</title></path>");
    }
    for (OptimizationHistory.Point p : series.get(0).history().points()) {
      String tip = p.trial() + "\n" + metric + " = " + Format.number(p.value()) + "\nbest so far = "
          + Format.number(p.bestSoFar()) + "\nsteps so far = " + p.cumulativeSteps()
          + (Double.isFinite(p.wallSeconds()) ? "\nwall time = " + Format.duration(p.wallSeconds()) : "");
      String best = p.trial().equals(snapshot.bestTrial()) ? " best" : "";
      PlotFrame.point(svg, frame.px(x.applyAsDouble(p)), frame.py(p.value()), p.trial(), "history-point" + best,
          best.isEmpty() ? color(0) : TrialColors.BEST, tip);
    }
    svg.close("g");
    svg.close("svg");
    return svg.toString();
  }
}
