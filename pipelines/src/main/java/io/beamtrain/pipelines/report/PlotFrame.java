package io.beamtrain.pipelines.report;

/**
 * The rectangle of a two-axis plot inside an SVG of {@code width x height}, with its x and y
 * scales: maps values to pixels and draws the grid, ticks and axis titles the scatter-type views
 * (history, slices, heat map, Pareto front) share. Immutable.
 */
record PlotFrame(int width, int height, int left, int right, int top, int bottom, AxisScale x, AxisScale y) {

  /** A frame with the margins every scatter view uses. */
  static PlotFrame of(int width, int height, AxisScale x, AxisScale y) {
    return new PlotFrame(width, height, 58, 14, 12, 42, x, y);
  }

  double plotWidth() {
    return width - left - right;
  }

  double plotHeight() {
    return height - top - bottom;
  }

  /** The pixel column of {@code value}, NaN when the x axis cannot show it. */
  double px(Object value) {
    return left + x.fraction(value) * plotWidth();
  }

  /** The pixel row of {@code value}, NaN when the y axis cannot show it. */
  double py(Object value) {
    return top + (1 - y.fraction(value)) * plotHeight();
  }

  /** Opens the {@code <svg>} element with {@code attributes} (id, class, aria-label). */
  void open(Svg svg, String attributes) {
    svg.open("svg", attributes + " viewBox=\"0 0 " + width + " " + height + "\" role=\"img\"");
  }

  /** Grid lines, ticks, tick labels and the two axis titles. */
  void axes(Svg svg, String xTitle, String yTitle) {
    double plotW = plotWidth();
    double plotH = plotHeight();
    svg.open("g", "class=\"axis x\"");
    for (AxisScale.Tick tick : x.ticks()) {
      double px = left + tick.fraction() * plotW;
      svg.line(px, top, px, top + plotH, "grid");
      svg.line(px, top + plotH, px, top + plotH + 5, "tick");
      svg.text(px, top + plotH + 18, "middle", "tick-label", tick.label(), null);
    }
    svg.text(left + plotW / 2, height - 6, "middle", "axis-title", xTitle, null);
    svg.close("g");
    svg.open("g", "class=\"axis y\"");
    for (AxisScale.Tick tick : y.ticks()) {
      double py = top + (1 - tick.fraction()) * plotH;
      svg.line(left, py, left + plotW, py, "grid");
      svg.line(left - 5, py, left, py, "tick");
      svg.text(left - 8, py + 4, "end", "tick-label", tick.label(), null);
    }
    svg.raw("<text class=\"axis-title\" transform=\"translate(14," + Svg.n(top + plotH / 2)
        + ") rotate(-90)\" text-anchor=\"middle\">" + Html.escape(yTitle) + "</text>");
    svg.line(left, top + plotH, left + plotW, top + plotH, "domain");
    svg.line(left, top, left, top + plotH, "domain");
    svg.close("g");
  }

  /** A point for one trial: a circle with its trial id, CSS class, fill and hover text. */
  static void point(Svg svg, double px, double py, String trial, String cssClass, String fill, String tooltip) {
    svg.raw("<circle class=\"" + cssClass + "\"" + (trial == null ? "" : " data-trial=\"" + Html.escape(trial) + "\"")
        + " cx=\"" + Svg.n(px) + "\" cy=\"" + Svg.n(py) + "\" r=\"4.5\" fill=\"" + fill + "\"><title>"
        + Html.escape(tooltip) + "</title></circle>");
  }
}
