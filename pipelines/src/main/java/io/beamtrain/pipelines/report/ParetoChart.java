package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.Goal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A multi-objective study's trials on its first two objectives ({@link ParetoRecord}): the
 * feasible front from pareto.json highlighted ({@code circle.pareto-point.front}, joined by a
 * line), dominated feasible trials plain, trials that break a constraint as crosses ({@code
 * path.pareto-point.infeasible}, the broken constraints in the hover text). Empty (no HTML) for a
 * study without pareto.json, so other reports are unchanged.
 */
final class ParetoChart {
  static final int WIDTH = 620;
  static final int HEIGHT = 400;
  static final String FRONT = "#e8590c";
  static final String DOMINATED = "#8c959f";
  static final String INFEASIBLE = "#cf222e";

  private ParetoChart() {}

  static String render(SweepSnapshot snapshot) {
    if (snapshot.pareto().isEmpty()) {
      return "";
    }
    ParetoRecord pareto = snapshot.pareto().get();
    StringBuilder html = new StringBuilder("<section class=\"card\" id=\"pareto-card\"><h2>Pareto front</h2>");
    html.append("<p class=\"hint\">").append(pareto.front().size()).append(" trials on the feasible front (")
        .append("<span class=\"best-text\">orange</span>, joined), ").append(pareto.infeasible().size())
        .append(" infeasible (red crosses: they break a constraint), the others dominated (grey).</p>");
    if (pareto.objectives().size() < 2) {
      return html.append("<p class=\"empty\">One objective: the front is the best feasible trial.</p></section>").toString();
    }
    MetricChoice xm = pareto.objectives().get(0);
    MetricChoice ym = pareto.objectives().get(1);
    List<TrialRecord> placed = new ArrayList<>();
    List<Object> xs = new ArrayList<>();
    List<Object> ys = new ArrayList<>();
    for (TrialRecord trial : snapshot.trials()) {
      double x = trial.metric(xm.name());
      double y = trial.metric(ym.name());
      if (Double.isFinite(x) && Double.isFinite(y)) {
        placed.add(trial);
        xs.add(x);
        ys.add(y);
      }
    }
    if (placed.isEmpty()) {
      return html.append("<p class=\"empty\">No trial has both objectives yet.</p></section>").toString();
    }
    PlotFrame frame = PlotFrame.of(WIDTH, HEIGHT, AxisScale.forValues(xs), AxisScale.forValues(ys));
    Svg svg = new Svg();
    frame.open(svg, "id=\"pareto\" class=\"chart\" aria-label=\"Pareto front of " + Html.escape(xm.name())
        + " and " + Html.escape(ym.name()) + "\"");
    frame.axes(svg, title(xm), title(ym));
    List<TrialRecord> front = new ArrayList<>(placed.stream().filter(t -> pareto.front().contains(t.trial())).toList());
    front.sort(Comparator.comparingDouble(t -> t.metric(xm.name())));
    if (front.size() > 1) {
      StringBuilder d = new StringBuilder();
      for (TrialRecord t : front) {
        d.append(d.isEmpty() ? "M" : " L").append(Svg.n(frame.px(t.metric(xm.name())))).append(' ')
            .append(Svg.n(frame.py(t.metric(ym.name()))));
      }
      svg.raw("<path class=\"pareto-line\" d=\"" + d + "\"/>");
    }
    for (TrialRecord trial : placed) {
      double px = frame.px(trial.metric(xm.name()));
      double py = frame.py(trial.metric(ym.name()));
      String tip = trial.trial() + "\n" + xm.name() + " = " + Format.number(trial.metric(xm.name())) + "\n"
          + ym.name() + " = " + Format.number(trial.metric(ym.name()));
      String broken = pareto.infeasible().get(trial.trial());
      if (broken != null) {
        svg.raw("<path class=\"pareto-point infeasible\" data-trial=\"" + Html.escape(trial.trial()) + "\" d=\"M"
            + Svg.n(px - 4.5) + " " + Svg.n(py - 4.5) + " l9 9 m0 -9 l-9 9\" stroke=\"" + INFEASIBLE + "\"><title>"
            + Html.escape(tip + "\ninfeasible: " + broken) + "</title></path>");
      } else if (pareto.front().contains(trial.trial())) {
        PlotFrame.point(svg, px, py, trial.trial(), "pareto-point front", FRONT, tip + "\non the front");
      } else {
        PlotFrame.point(svg, px, py, trial.trial(), "pareto-point dominated", DOMINATED, tip + "\ndominated");
      }
    }
    svg.close("svg");
    return html.append(svg).append("</section>").toString();
  }

  private static String title(MetricChoice metric) {
    return metric.name() + (metric.goal() == Goal.MAXIMIZE ? " \u2191" : " \u2193");
  }
}
