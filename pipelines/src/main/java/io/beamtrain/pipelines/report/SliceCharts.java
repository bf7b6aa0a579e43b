package io.beamtrain.pipelines.report;

/**
 * Slice plots: for each searched hyperparameter, the metric of every trial against that
 * parameter's value (on the parameter's axis, {@link AxisScale#forParam}), one {@code
 * circle.slice-point} per trial with a value, coloured as everywhere ({@link TrialColors}). A
 * parameter that matters shows a trend or a cluster; one that does not, a flat cloud. A parameter
 * no trial with a value has (set only by a failed trial) gets no plot.
 */
final class SliceCharts {
  static final int WIDTH = 400;
  static final int HEIGHT = 260;

  private SliceCharts() {}

  static String render(SweepSnapshot snapshot, ParamColumns params, TrialColors colors) {
    String metric = snapshot.metric().name();
    java.util.List<Double> values = new java.util.ArrayList<>();
    snapshot.trials().forEach(t -> {
      if (Double.isFinite(t.metric(metric))) {
        values.add(t.metric(metric));
      }
    });
    if (values.isEmpty() || params.varying().isEmpty()) {
      return "<p class=\"empty\">No trial has a value of " + Html.escape(metric) + " and a searched parameter yet.</p>";
    }
    AxisScale y = LearningCurvesChart.valueScale(values);
    StringBuilder html = new StringBuilder("<div class=\"slices\">");
    for (String name : params.varying()) {
      // A parameter only trials without a value set (a failed trial's) has nothing to show.
      boolean anyPoint = snapshot.trials().stream()
          .anyMatch(t -> t.params().get(name) != null && Double.isFinite(t.metric(metric)));
      if (!anyPoint) {
        continue;
      }
      AxisScale x = AxisScale.forParam(snapshot, name);
      PlotFrame frame = PlotFrame.of(WIDTH, HEIGHT, x, y);
      Svg svg = new Svg();
      frame.open(svg, "class=\"chart slice\" data-param=\"" + Html.escape(name) + "\" aria-label=\""
          + Html.escape(metric + " against " + name) + "\"");
      frame.axes(svg, x instanceof LogScale ? name + " (log)" : name, metric);
      for (TrialRecord trial : snapshot.trials()) {
        Object value = trial.params().get(name);
        double v = trial.metric(metric);
        double px = frame.px(value);
        double py = frame.py(v);
        if (!Double.isFinite(px) || !Double.isFinite(py)) {
          continue;
        }
        boolean best = trial.trial().equals(snapshot.bestTrial());
        PlotFrame.point(svg, px, Math.max(frame.top(), Math.min(frame.top() + frame.plotHeight(), py)),
            trial.trial(), best ? "slice-point best" : "slice-point",
            best ? TrialColors.BEST : colors.of(trial.trial()),
            trial.trial() + "\n" + name + " = " + Format.value(value) + "\n" + metric + " = " + Format.number(v));
      }
      svg.close("svg");
      html.append(svg);
    }
    return html.append("</div>").toString();
  }
}
