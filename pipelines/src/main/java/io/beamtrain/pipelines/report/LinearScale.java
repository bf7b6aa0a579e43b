package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A linear axis over {@code [min, max]} with "nice" ticks (steps of 1, 2 or 5 times a power of
 * ten), as plotting libraries (d3's {@code scale.nice}) do.
 *
 * @param min the value at fraction 0
 * @param max the value at fraction 1, greater than min
 * @param step the distance between ticks
 */
record LinearScale(double min, double max, double step) implements AxisScale {

  LinearScale {
    if (!(max > min) || !(step > 0)) {
      throw new IllegalArgumentException("bad linear scale [" + min + ", " + max + "] step " + step);
    }
  }

  /**
   * A scale covering {@code [lo, hi]}, widened to whole ticks, with about {@code ticks} ticks. A
   * single value gets a small range around it.
   */
  static LinearScale nice(double lo, double hi, int ticks) {
    return nice(lo, hi, ticks, 0);
  }

  /** As {@link #nice(double, double, int)}, with a tick step of at least {@code minStep}. */
  static LinearScale nice(double lo, double hi, int ticks, double minStep) {
    if (!(hi > lo)) {
      double pad = Math.max(minStep / 2, lo == 0 ? 1 : Math.abs(lo) * 0.1);
      lo -= pad;
      hi += pad;
    }
    double step = Math.max(minStep, niceStep((hi - lo) / Math.max(1, ticks)));
    double min = Math.floor(lo / step) * step;
    double max = Math.ceil(hi / step) * step;
    if (max <= min) {
      max = min + step;
    }
    return new LinearScale(min, max, step);
  }

  /** 1, 2 or 5 times a power of ten, the smallest at least {@code raw}. */
  static double niceStep(double raw) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double residual = raw / magnitude;
    double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
    return nice * magnitude;
  }

  @Override
  public double fraction(Object value) {
    return fraction(AxisScale.asNumber(value));
  }

  double fraction(double value) {
    return Double.isFinite(value) ? (value - min) / (max - min) : Double.NaN;
  }

  @Override
  public List<Tick> ticks() {
    List<Tick> ticks = new ArrayList<>();
    long first = Math.round(Math.ceil(min / step - 1e-9));
    long last = Math.round(Math.floor(max / step + 1e-9));
    for (long i = first; i <= last; i++) {
      // i * step, not repeated addition, so 0.1 steps do not drift into 0.30000000000000004.
      double value = i * step;
      ticks.add(new Tick(fraction(value), Format.tick(value)));
    }
    return ticks;
  }
}
