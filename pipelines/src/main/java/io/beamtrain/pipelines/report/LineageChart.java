package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A population-based training run as a picture: one row per trial (best first), a track from step
 * 0 to the steps it trained ({@code line.lineage-track}) ending in a dot coloured by its metric,
 * and for every exploit an arrow from the donor's row to the trial's at the step of the
 * checkpoint it took ({@code path.lineage-edge}, the changed hyperparameters in the hover text).
 * Which members kept being copied, and from when, shows at a glance. Empty without lineage.
 */
final class LineageChart {
  static final int WIDTH = 1240;
  private static final int ROW = 22;
  private static final int LEFT = 110;
  private static final int RIGHT = 20;
  private static final int TOP = 8;
  private static final int BOTTOM = 40;

  private LineageChart() {}

  static String render(SweepSnapshot snapshot, TrialColors colors) {
    List<TrialRecord> rows = snapshot.ranked();
    if (rows.stream().allMatch(t -> t.lineage().isEmpty())) {
      return "";
    }
    Map<String, Integer> rowOf = new HashMap<>();
    long maxStep = 1;
    for (int i = 0; i < rows.size(); i++) {
      rowOf.put(rows.get(i).trial(), i);
      TrialRecord trial = rows.get(i);
      maxStep = Math.max(maxStep, trial.steps() == null ? 0 : trial.steps());
      for (TrialRecord.Exploit e : trial.lineage()) {
        maxStep = Math.max(maxStep, e.step());
      }
    }
    int height = TOP + ROW * rows.size() + BOTTOM;
    PlotFrame frame = new PlotFrame(WIDTH, height, LEFT, RIGHT, TOP, BOTTOM,
        LinearScale.nice(0, maxStep, 8), CategoricalScale.inOrder(rowOf.keySet()));
    String metric = snapshot.metric().name();
    Svg svg = new Svg();
    frame.open(svg, "id=\"lineage-chart\" class=\"chart\" aria-label=\"Lineage of the population\"");
    svg.raw("<defs><marker id=\"lineage-arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" "
        + "markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L8 4 L0 8 z\" fill=\"#59636e\"/></marker></defs>");
    double bottom = TOP + ROW * rows.size();
    for (AxisScale.Tick tick : frame.x().ticks()) {
      double px = LEFT + tick.fraction() * frame.plotWidth();
      svg.line(px, TOP, px, bottom, "grid");
      svg.text(px, bottom + 18, "middle", "tick-label", tick.label(), null);
    }
    svg.text(LEFT + frame.plotWidth() / 2, height - 6, "middle", "axis-title", "training step", null);
    List<String> edges = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      TrialRecord trial = rows.get(i);
      double y = y(i);
      long steps = trial.steps() == null ? 0 : trial.steps();
      String id = Html.escape(trial.trial());
      svg.text(LEFT - 8, y + 4, "end", "tick-label", trial.trial(), null);
      svg.raw("<line class=\"lineage-track\" data-trial=\"" + id + "\" x1=\"" + Svg.n(frame.px(0)) + "\" y1=\""
          + Svg.n(y) + "\" x2=\"" + Svg.n(frame.px((double) steps)) + "\" y2=\"" + Svg.n(y) + "\"/>");
      double value = trial.metric(metric);
      String color = trial.trial().equals(snapshot.bestTrial()) ? TrialColors.BEST : colors.of(trial.trial());
      PlotFrame.point(svg, frame.px((double) steps), y, trial.trial(), "lineage-end", color,
          trial.trial() + "\n" + metric + " = " + Format.number(value) + "\n" + trial.lineage().size() + " exploits");
      for (TrialRecord.Exploit e : trial.lineage()) {
        Integer donorRow = rowOf.get(e.donor());
        if (donorRow == null) {
          continue;
        }
        double px = frame.px((double) e.step());
        double from = y(donorRow);
        // Stop short of the recipient's track so the arrowhead shows.
        double to = y + (from < y ? -5 : 5);
        edges.add("<path class=\"lineage-edge\" data-trial=\"" + id + "\" marker-end=\"url(#lineage-arrow)\" d=\"M"
            + Svg.n(px) + " " + Svg.n(from) + " L" + Svg.n(px) + " " + Svg.n(to) + "\"><title>"
            + Html.escape(trial.trial() + " took " + e.donor() + "'s checkpoint of step " + e.step() + ": "
                + LineageTable.changes(e)) + "</title></path>");
      }
    }
    edges.forEach(svg::raw);
    svg.close("svg");
    return svg.toString();
  }

  private static double y(int row) {
    return TOP + ROW * (row + 0.5);
  }
}
