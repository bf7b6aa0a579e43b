package io.beamtrain.pipelines.report;

import io.beamtrain.pipelines.importance.PedAnova;
import java.util.Locale;
import java.util.Map;

/**
 * Hyperparameter importance ({@link ParamImportance}) as horizontal bars, largest first, one
 * {@code rect.importance-bar} per searched parameter with its share in the hover text.
 */
final class ImportanceChart {
  static final int WIDTH = 620;
  private static final int ROW = 26;
  private static final int LABEL = 150;
  private static final int RIGHT = 60;

  private ImportanceChart() {}

  /** {@code trials}: how many trials with a value the importance was computed from. */
  static String render(Map<String, Double> importance, int trials) {
    if (importance.isEmpty()) {
      return "<p class=\"empty\">Importance needs at least " + PedAnova.MIN_TRIALS
          + " trials with a value and a searched parameter.</p>";
    }
    int height = ROW * importance.size() + 10;
    double barW = WIDTH - LABEL - RIGHT;
    Svg svg = new Svg();
    svg.open("svg", "id=\"importance\" class=\"chart\" viewBox=\"0 0 " + WIDTH + " " + height
        + "\" role=\"img\" aria-label=\"Hyperparameter importance\"");
    int row = 0;
    for (Map.Entry<String, Double> entry : importance.entrySet()) {
      double y = 5 + row * ROW;
      double w = Math.max(1, entry.getValue() * barW);
      String share = String.format(Locale.ROOT, "%.1f%%", 100 * entry.getValue());
      svg.text(LABEL - 8, y + ROW / 2.0 + 4, "end", "tick-label param-name", entry.getKey(), null);
      svg.raw("<rect class=\"importance-bar\" data-param=\"" + Html.escape(entry.getKey()) + "\" x=\"" + LABEL
          + "\" y=\"" + Svg.n(y + 4) + "\" width=\"" + Svg.n(w) + "\" height=\"" + (ROW - 8) + "\"><title>"
          + Html.escape(entry.getKey() + ": " + share + " of the importance (PED-ANOVA, " + trials + " trials)")
          + "</title></rect>");
      svg.text(LABEL + w + 6, y + ROW / 2.0 + 4, "start", "tick-label", share, null);
      row++;
    }
    svg.close("svg");
    return svg.toString();
  }
}
