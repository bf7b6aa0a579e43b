package io.beamtrain.pipelines.report;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The colour of each trial in both plots and the table: by its metric value on a perceptual
 * scale (viridis, from green for the worst to dark purple for the best; the light yellow end is
 * left out, it does not show on white), grey for trials without a value. The winner is drawn in
 * {@link #BEST} on top of that. Immutable.
 */
final class TrialColors {
  /** The winner's colour. */
  static final String BEST = "#e8590c";

  /** Trials without a metric value (failed, not evaluated yet). */
  static final String NO_VALUE = "#9aa0a6";

  /** Viridis at 0.8, 0.6, 0.4, 0.2, 0.0: worst to best. */
  private static final int[][] STOPS = {
    {0x7a, 0xd1, 0x51}, {0x22, 0xa8, 0x84}, {0x2a, 0x78, 0x8e}, {0x41, 0x44, 0x87}, {0x44, 0x01, 0x54}
  };

  private final Map<String, String> colors = new HashMap<>();

  TrialColors(SweepSnapshot snapshot) {
    String metric = snapshot.metric().name();
    double worst = Double.NaN;
    double best = Double.NaN;
    for (TrialRecord trial : snapshot.trials()) {
      double v = trial.metric(metric);
      if (Double.isFinite(v)) {
        worst = Double.isNaN(worst) || snapshot.metric().isBetter(worst, v) ? v : worst;
        best = Double.isNaN(best) || snapshot.metric().isBetter(v, best) ? v : best;
      }
    }
    for (TrialRecord trial : snapshot.trials()) {
      double v = trial.metric(metric);
      if (!Double.isFinite(v)) {
        colors.put(trial.trial(), NO_VALUE);
        continue;
      }
      double q = best == worst ? 1.0 : (v - worst) / (best - worst);
      colors.put(trial.trial(), interpolate(q));
    }
  }

  /** The trial's colour as {@code #rrggbb}. */
  String of(String trial) {
    return colors.getOrDefault(trial, NO_VALUE);
  }

  /** The colour at {@code q} in {@code [0, 1]} (0 worst, 1 best). */
  static String interpolate(double q) {
    double x = Math.min(1, Math.max(0, q)) * (STOPS.length - 1);
    int i = Math.min(STOPS.length - 2, (int) Math.floor(x));
    double t = x - i;
    int[] rgb = new int[3];
    for (int c = 0; c < 3; c++) {
      rgb[c] = (int) Math.round(STOPS[i][c] + t * (STOPS[i + 1][c] - STOPS[i][c]));
    }
    return String.format(Locale.ROOT, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  }
}
