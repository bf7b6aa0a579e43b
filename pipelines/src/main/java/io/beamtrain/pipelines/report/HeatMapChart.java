package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The two most important hyperparameters ({@link ParamImportance}) against each other: a heat map
 * whose cells are coloured by the mean metric of the trials that fall in them (worse to better as
 * in {@link TrialColors}, empty cells blank), with every trial on top as a {@code
 * circle.heat-point}. Cells are the categories of a categorical axis, else {@link #BINS} equal
 * parts of the axis (a log axis: equal in log space). A binned mean, not an interpolated contour: it shows only what trials measured.
 */
final class HeatMapChart {
  static final int WIDTH = 620;
  static final int HEIGHT = 420;
  static final int BINS = 8;

  private HeatMapChart() {}

  static String render(SweepSnapshot snapshot, Map<String, Double> importance, TrialColors colors) {
    if (importance.size() < 2) {
      return "<p class=\"empty\">The heat map needs two searched parameters with an importance.</p>";
    }
    Iterator<String> names = importance.keySet().iterator();
    String xName = names.next();
    String yName = names.next();
    String metric = snapshot.metric().name();
    AxisScale x = AxisScale.forParam(snapshot, xName);
    AxisScale y = AxisScale.forParam(snapshot, yName);
    PlotFrame frame = PlotFrame.of(WIDTH, HEIGHT, x, y);
    int nx = bins(x);
    int ny = bins(y);
    double[][] sum = new double[nx][ny];
    int[][] count = new int[nx][ny];
    double worst = Double.NaN;
    double best = Double.NaN;
    List<TrialRecord> placed = new ArrayList<>();
    for (TrialRecord trial : snapshot.trials()) {
      double fx = x.fraction(trial.params().get(xName));
      double fy = y.fraction(trial.params().get(yName));
      double v = trial.metric(metric);
      if (!Double.isFinite(fx) || !Double.isFinite(fy) || !Double.isFinite(v)) {
        continue;
      }
      placed.add(trial);
      sum[bin(fx, nx)][bin(fy, ny)] += v;
      count[bin(fx, nx)][bin(fy, ny)]++;
    }
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        if (count[i][j] > 0) {
          double mean = sum[i][j] / count[i][j];
          worst = Double.isNaN(worst) || snapshot.metric().isBetter(worst, mean) ? mean : worst;
          best = Double.isNaN(best) || snapshot.metric().isBetter(mean, best) ? mean : best;
        }
      }
    }
    Svg svg = new Svg();
    frame.open(svg, "id=\"heatmap\" class=\"chart\" data-x=\"" + Html.escape(xName) + "\" data-y=\""
        + Html.escape(yName) + "\" aria-label=\"" + Html.escape(metric + " by " + xName + " and " + yName) + "\"");
    frame.axes(svg, x instanceof LogScale ? xName + " (log)" : xName, y instanceof LogScale ? yName + " (log)" : yName);
    svg.open("g", "class=\"cells\"");
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        if (count[i][j] == 0) {
          continue;
        }
        double mean = sum[i][j] / count[i][j];
        double q = best == worst ? 1 : (mean - worst) / (best - worst);
        double left = frame.left() + (double) i / nx * frame.plotWidth();
        double top = frame.top() + (1 - (double) (j + 1) / ny) * frame.plotHeight();
        svg.raw("<rect class=\"heat-cell\" x=\"" + Svg.n(left) + "\" y=\"" + Svg.n(top) + "\" width=\""
            + Svg.n(frame.plotWidth() / nx) + "\" height=\"" + Svg.n(frame.plotHeight() / ny)
            + "\" fill=\"" + TrialColors.interpolate(q) + "\"><title>" + Html.escape("mean " + metric + " = "
            + Format.number(mean) + " over " + count[i][j] + " trial" + (count[i][j] == 1 ? "" : "s")) + "</title></rect>");
      }
    }
    svg.close("g");
    for (TrialRecord trial : placed) {
      boolean isBest = trial.trial().equals(snapshot.bestTrial());
      PlotFrame.point(svg, frame.px(trial.params().get(xName)), frame.py(trial.params().get(yName)), trial.trial(),
          isBest ? "heat-point best" : "heat-point", isBest ? TrialColors.BEST : "#fff",
          trial.trial() + "\n" + xName + " = " + Format.value(trial.params().get(xName)) + "\n" + yName + " = "
              + Format.value(trial.params().get(yName)) + "\n" + metric + " = " + Format.number(trial.metric(metric)));
    }
    svg.close("svg");
    return svg.toString();
  }

  private static int bins(AxisScale scale) {
    return scale instanceof CategoricalScale c ? Math.max(1, c.labels().size()) : BINS;
  }

  /** The cell of a value at {@code fraction}: categories sit at the middle of their own part. */
  private static int bin(double fraction, int n) {
    return Math.max(0, Math.min(n - 1, (int) Math.floor(fraction * n)));
  }
}
