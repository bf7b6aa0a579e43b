package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The learning curves: the sweep's metric at each evaluation step, one SVG {@code path.curve} per
 * trial that has at least one finite value, coloured by {@link TrialColors}, the winner drawn last,
 * thicker, in {@link TrialColors#BEST} and marked at its best step. Non-finite values (a diverged
 * trial) break the line. When a few trials run far off the rest (divergence), the value axis keeps
 * to the 2nd..98th percentile and clips them, so the others stay readable.
 */
final class LearningCurvesChart {
  static final int WIDTH = 760;
  static final int HEIGHT = 360;
  private static final int LEFT = 64;
  private static final int RIGHT = 18;
  private static final int TOP = 16;
  private static final int BOTTOM = 46;
  /** Outliers beyond this many times the central range make the axis clip them. */
  private static final double OUTLIER_SPAN = 4;

  private LearningCurvesChart() {}

  static String render(SweepSnapshot snapshot, TrialColors colors) {
    String metric = snapshot.metric().name();
    List<TrialRecord> withCurves = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    long maxStep = 0;
    for (TrialRecord trial : snapshot.trials()) {
      if (!trial.hasCurve(metric)) {
        continue;
      }
      withCurves.add(trial);
      for (TrialRecord.Evaluation e : trial.history()) {
        double v = e.metric(metric);
        if (Double.isFinite(v)) {
          values.add(v);
          maxStep = Math.max(maxStep, e.step());
        }
      }
    }
    if (withCurves.isEmpty()) {
      return "<p class=\"empty\">No evaluation of " + Html.escape(metric) + " yet.</p>";
    }
    LinearScale x = LinearScale.nice(0, Math.max(1, maxStep), 6);
    LinearScale y = valueScale(values);
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;

    Svg svg = new Svg();
    svg.open(
        "svg",
        "id=\"curves\" class=\"chart\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT
            + "\" role=\"img\" aria-label=\"Learning curves of " + Html.escape(metric) + "\"");
    svg.raw("<defs><clipPath id=\"curves-clip\"><rect x=\"" + LEFT + "\" y=\"" + TOP
        + "\" width=\"" + Svg.n(plotW) + "\" height=\"" + Svg.n(plotH) + "\"/></clipPath></defs>");
    svg.open("g", "class=\"axis x\"");
    for (AxisScale.Tick tick : x.ticks()) {
      double px = LEFT + tick.fraction() * plotW;
      svg.line(px, TOP, px, TOP + plotH, "grid");
      svg.line(px, TOP + plotH, px, TOP + plotH + 5, "tick");
      svg.text(px, TOP + plotH + 19, "middle", "tick-label", tick.label(), null);
    }
    svg.text(LEFT + plotW / 2, HEIGHT - 6, "middle", "axis-title", "training step", null);
    svg.close("g");
    svg.open("g", "class=\"axis y\"");
    for (AxisScale.Tick tick : y.ticks()) {
      double py = TOP + (1 - tick.fraction()) * plotH;
      svg.line(LEFT, py, LEFT + plotW, py, "grid");
      svg.line(LEFT - 5, py, LEFT, py, "tick");
      svg.text(LEFT - 8, py + 4, "end", "tick-label", tick.label(), null);
    }
    svg.raw("<text class=\"axis-title\" transform=\"translate(16," + Svg.n(TOP + plotH / 2)
        + ") rotate(-90)\" text-anchor=\"middle\">" + Html.escape(metric) + "</text>");
    svg.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "domain");
    svg.line(LEFT, TOP, LEFT, TOP + plotH, "domain");
    svg.close("g");

    String bestTrial = snapshot.bestTrial();
    TrialRecord best = null;
    svg.open("g", "class=\"curves\" clip-path=\"url(#curves-clip)\"");
    for (TrialRecord trial : withCurves) {
      if (trial.trial().equals(bestTrial)) {
        best = trial;
        continue;
      }
      curve(svg, trial, metric, x, y, plotW, plotH, colors.of(trial.trial()), "curve");
    }
    if (best != null) {
      curve(svg, best, metric, x, y, plotW, plotH, TrialColors.BEST, "curve best");
    }
    svg.close("g");
    if (best != null) {
      bestMarker(svg, best, snapshot, x, y, plotW, plotH);
    }
    svg.close("svg");
    return svg.toString();
  }

  /** The value axis: all values, or the central 2..98 percentiles when outliers dominate. */
  static LinearScale valueScale(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    double lo = sorted[0];
    double hi = sorted[sorted.length - 1];
    double qLo = quantile(sorted, 0.02);
    double qHi = quantile(sorted, 0.98);
    if (qHi > qLo && hi - lo > OUTLIER_SPAN * (qHi - qLo)) {
      double pad = (qHi - qLo) * 0.1;
      lo = Math.max(lo, qLo - pad);
      hi = Math.min(hi, qHi + pad);
    }
    return LinearScale.nice(lo, hi, 5);
  }

  private static double quantile(double[] sorted, double q) {
    double position = q * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(sorted.length - 1, below + 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }

  private static void curve(
      Svg svg,
      TrialRecord trial,
      String metric,
      LinearScale x,
      LinearScale y,
      double plotW,
      double plotH,
      String color,
      String cssClass) {
    StringBuilder d = new StringBuilder();
    boolean penDown = false;
    for (TrialRecord.Evaluation e : trial.history()) {
      double v = e.metric(metric);
      if (!Double.isFinite(v)) {
        penDown = false;
        continue;
      }
      double px = LEFT + x.fraction(e.step()) * plotW;
      double py = TOP + (1 - y.fraction(v)) * plotH;
      d.append(penDown ? " L" : (d.length() == 0 ? "M" : " M")).append(Svg.n(px)).append(' ').append(Svg.n(py));
      if (!penDown) {
        // A zero-length segment: a lone evaluation shows as a dot (round line caps).
        d.append(" h0");
      }
      penDown = true;
    }
    String title =
        trial.trial() + " (" + trial.status() + "): " + metric + " "
            + Format.number(trial.metric(metric))
            + (trial.bestStep() == null ? "" : " at step " + trial.bestStep());
    svg.raw("<path class=\"" + cssClass + "\" data-trial=\"" + Html.escape(trial.trial())
        + "\" stroke=\"" + color + "\" d=\"" + d + "\"><title>" + Html.escape(title)
        + "</title></path>");
  }

  private static void bestMarker(
      Svg svg,
      TrialRecord best,
      SweepSnapshot snapshot,
      LinearScale x,
      LinearScale y,
      double plotW,
      double plotH) {
    String metric = snapshot.metric().name();
    // best.json's step and value when the export ran (it names the exported checkpoint; a tie
    // in the history may make it differ from the trial's own best_step).
    BestRecord record = snapshot.best().orElseThrow();
    boolean sameMetric = record.metricName().equals(metric);
    double value = sameMetric && Double.isFinite(record.value()) ? record.value() : best.metric(metric);
    Long step = sameMetric && record.step() != null ? record.step() : best.bestStep();
    if (step == null || !Double.isFinite(value)) {
      return;
    }
    double fx = x.fraction(step);
    double fy = y.fraction(value);
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) {
      return;
    }
    double px = LEFT + fx * plotW;
    double py = TOP + (1 - fy) * plotH;
    svg.raw("<circle class=\"best-point\" data-trial=\"" + Html.escape(best.trial()) + "\" cx=\""
        + Svg.n(px) + "\" cy=\"" + Svg.n(py) + "\" r=\"5\"/>");
    // The label goes in the bottom-right corner when the best value is high (curves rise towards
    // it, leaving that corner empty), in the top-right corner when it is low (falling curves).
    double ly = fy > 0.5 ? TOP + plotH - 12 : TOP + 20;
    svg.text(LEFT + plotW - 10, ly, "end", "best-label",
        "best: " + best.trial() + ", " + Format.number(value) + " at step " + step, null);
  }
}
