package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The parallel-coordinates plot: one vertical axis per searched hyperparameter (linear, log or
 * categorical: from the study's domain when study.json has it, see {@link AxisScale#forDomain},
 * else from the values, see {@link AxisScale#forValues}) and a last axis for the metric; one SVG {@code
 * path.pc-line} per trial through its values, coloured by its metric ({@link TrialColors}), the
 * winner on top in {@link TrialColors#BEST}. A value a trial lacks (a failed trial's metric, a
 * parameter it did not set) sits on an "n/a" row under the axis, so every trial keeps its line.
 */
final class ParallelCoordinatesChart {
  static final int WIDTH = 1240;
  static final int HEIGHT = 380;
  private static final int LEFT = 70;
  private static final int RIGHT = 70;
  private static final int TOP = 52;
  private static final int BOTTOM = 44;
  /** Distance of the "n/a" row below an axis. */
  private static final int MISSING_OFFSET = 24;
  private static final int MAX_TITLE_CHARS = 20;

  /** One vertical axis: its name, title, scale and how to read a trial's value. */
  private record Axis(
      String name, String title, AxisScale scale, Function<TrialRecord, Object> value, boolean metric) {}

  private ParallelCoordinatesChart() {}

  static String render(SweepSnapshot snapshot, ParamColumns params, TrialColors colors) {
    List<TrialRecord> trials = snapshot.trials();
    List<Axis> axes = axes(snapshot, params);
    double plotH = HEIGHT - TOP - BOTTOM;
    double plotW = WIDTH - LEFT - RIGHT;
    double[] xs = new double[axes.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = axes.size() == 1 ? LEFT + plotW / 2 : LEFT + plotW * i / (axes.size() - 1);
    }

    Svg svg = new Svg();
    svg.open(
        "svg",
        "id=\"parallel\" class=\"chart\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT
            + "\" role=\"img\" aria-label=\"Hyperparameters against "
            + Html.escape(snapshot.metric().name()) + "\"");
    svg.open("g", "class=\"lines\"");
    String bestTrial = snapshot.bestTrial();
    TrialRecord best = null;
    for (TrialRecord trial : trials) {
      if (trial.trial().equals(bestTrial)) {
        best = trial;
        continue;
      }
      boolean hasValue = Double.isFinite(trial.metric(snapshot.metric().name()));
      line(svg, trial, axes, xs, plotH, colors.of(trial.trial()), hasValue ? "pc-line" : "pc-line no-value");
    }
    if (best != null) {
      line(svg, best, axes, xs, plotH, TrialColors.BEST, "pc-line best");
    }
    svg.close("g");
    for (int i = 0; i < axes.size(); i++) {
      axis(svg, axes.get(i), xs[i], plotH, trials);
    }
    svg.close("svg");
    return svg.toString();
  }

  private static List<Axis> axes(SweepSnapshot snapshot, ParamColumns params) {
    List<TrialRecord> trials = snapshot.trials();
    List<String> names = params.varying().isEmpty()
        ? new ArrayList<>(params.constant().keySet())
        : params.varying();
    List<Axis> axes = new ArrayList<>();
    for (String name : names) {
      AxisScale scale = AxisScale.forParam(snapshot, name);
      String title = scale instanceof LogScale ? name + " (log)" : name;
      axes.add(new Axis(name, title, scale, t -> t.params().get(name), false));
    }
    String metric = snapshot.metric().name();
    List<Object> values = new ArrayList<>();
    trials.forEach(t -> values.add(metricValue(t, metric)));
    AxisScale scale = AxisScale.forValues(values);
    String arrow = snapshot.metric().goal() == Goal.MAXIMIZE ? " \u2191" : " \u2193";
    axes.add(new Axis(metric, metric + arrow, scale, t -> metricValue(t, metric), true));
    return axes;
  }

  private static Object metricValue(TrialRecord trial, String metric) {
    double v = trial.metric(metric);
    return Double.isFinite(v) ? v : null;
  }

  private static double y(Axis axis, TrialRecord trial, double plotH) {
    double f = axis.scale().fraction(axis.value().apply(trial));
    return Double.isNaN(f) ? TOP + plotH + MISSING_OFFSET : TOP + (1 - f) * plotH;
  }

  private static void line(
      Svg svg, TrialRecord trial, List<Axis> axes, double[] xs, double plotH, String color, String cssClass) {
    StringBuilder d = new StringBuilder();
    StringBuilder title = new StringBuilder(trial.trial()).append(" (").append(trial.status()).append(")");
    for (int i = 0; i < axes.size(); i++) {
      Axis axis = axes.get(i);
      d.append(i == 0 ? "M" : " L").append(Svg.n(xs[i])).append(' ').append(Svg.n(y(axis, trial, plotH)));
      Object value = axis.value().apply(trial);
      title.append("\n").append(axis.name()).append(" = ")
          .append(value == null ? "n/a" : Format.value(value));
    }
    if (axes.size() == 1) {
      d.append(" h0");
    }
    svg.raw("<path class=\"" + cssClass + "\" data-trial=\"" + Html.escape(trial.trial())
        + "\" stroke=\"" + color + "\" d=\"" + d + "\"><title>" + Html.escape(title)
        + "</title></path>");
  }

  private static void axis(Svg svg, Axis axis, double x, double plotH, List<TrialRecord> trials) {
    svg.open("g", "class=\"pc-axis" + (axis.metric() ? " metric" : "") + "\" data-axis=\""
        + Html.escape(axis.name()) + "\"");
    svg.line(x, TOP, x, TOP + plotH, "domain");
    for (AxisScale.Tick tick : axis.scale().ticks()) {
      double py = TOP + (1 - tick.fraction()) * plotH;
      svg.line(x - 4, py, x, py, "tick");
      svg.text(x - 7, py + 4, "end", "tick-label halo", tick.label(), null);
    }
    boolean anyMissing = trials.stream().anyMatch(t -> axis.value().apply(t) == null);
    if (anyMissing) {
      svg.text(x - 7, TOP + plotH + MISSING_OFFSET + 4, "end", "tick-label missing", "n/a", null);
    }
    String title = axis.title();
    String shown = title.length() > MAX_TITLE_CHARS ? title.substring(0, MAX_TITLE_CHARS - 1) + "\u2026" : title;
    svg.text(x, TOP - 22, "middle", "axis-title", shown, title);
    svg.close("g");
  }
}
