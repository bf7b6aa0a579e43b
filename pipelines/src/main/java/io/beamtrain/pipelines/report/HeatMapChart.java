package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The two most important hyperparameters ({@link ParamImportance}) against each other: a heat map
 * whose cells are coloured by the mean metric of the trials that fall in them (worse to better as
 * in {@link TrialColors}, empty cells blank), with every trial on top as a {@code
 * circle.heat-point}. Cells are one per value when the trials drew few values (categories,
 * layer counts), else {@link #BINS} equal parts of the axis (a log axis: equal in log space).
 * A binned mean, not an interpolated contour: it shows only what trials measured.
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
    Cells xc = Cells.of(snapshot, xName, x);
    Cells yc = Cells.of(snapshot, yName, y);
    int nx = xc.size();
    int ny = yc.size();
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
      sum[xc.index(fx)][yc.index(fy)] += v;
      count[xc.index(fx)][yc.index(fy)]++;
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
        double left = frame.left() + xc.from(i) * frame.plotWidth();
        double top = frame.top() + (1 - yc.to(j)) * frame.plotHeight();
        svg.raw("<rect class=\"heat-cell\" x=\"" + Svg.n(left) + "\" y=\"" + Svg.n(top) + "\" width=\""
            + Svg.n((xc.to(i) - xc.from(i)) * frame.plotWidth()) + "\" height=\""
            + Svg.n((yc.to(j) - yc.from(j)) * frame.plotHeight())
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

  /**
   * The cells along one axis as fractions of it: one per value when the trials drew at most
   * {@link #BINS} values (categories, layer counts), split half way between neighbours; else
   * {@link #BINS} equal parts.
   */
  private record Cells(double[] centres) {
    static Cells of(SweepSnapshot snapshot, String name, AxisScale scale) {
      java.util.TreeSet<Double> distinct = new java.util.TreeSet<>();
      snapshot.trials().forEach(t -> {
        double f = scale.fraction(t.params().get(name));
        if (Double.isFinite(f)) {
          distinct.add(f);
        }
      });
      if (distinct.isEmpty() || distinct.size() > BINS) {
        return new Cells(null);
      }
      return new Cells(distinct.stream().mapToDouble(Double::doubleValue).toArray());
    }

    int size() {
      return centres == null ? BINS : centres.length;
    }

    int index(double fraction) {
      if (centres == null) {
        return Math.max(0, Math.min(BINS - 1, (int) Math.floor(fraction * BINS)));
      }
      int best = 0;
      for (int i = 1; i < centres.length; i++) {
        if (Math.abs(centres[i] - fraction) < Math.abs(centres[best] - fraction)) {
          best = i;
        }
      }
      return best;
    }

    double from(int i) {
      if (centres == null) {
        return (double) i / BINS;
      }
      return i == 0 ? Math.max(0, centres[0] - halfGap(0)) : (centres[i - 1] + centres[i]) / 2;
    }

    double to(int i) {
      if (centres == null) {
        return (double) (i + 1) / BINS;
      }
      int last = centres.length - 1;
      return i == last ? Math.min(1, centres[last] + halfGap(last)) : (centres[i] + centres[i + 1]) / 2;
    }

    /** Half the distance to the nearest neighbour; a lone value gets a tenth of the axis each side. */
    private double halfGap(int i) {
      double gap = Double.POSITIVE_INFINITY;
      if (i > 0) {
        gap = centres[i] - centres[i - 1];
      }
      if (i < centres.length - 1) {
        gap = Math.min(gap, centres[i + 1] - centres[i]);
      }
      return Double.isInfinite(gap) ? 0.1 : gap / 2;
    }
  }
}
