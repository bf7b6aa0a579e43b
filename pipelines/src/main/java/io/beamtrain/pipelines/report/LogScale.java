package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A base-10 logarithmic axis over whole decades around {@code [min, max]}, ticks at the powers of
 * ten (and at 2 and 5 times them when it spans at most two decades).
 *
 * @param min the smallest value shown, positive
 * @param max the largest value shown
 */
record LogScale(double min, double max) implements AxisScale {
  /** Values spanning more than this ratio (max / min) get a log axis. */
  static final double MIN_RATIO = 20;

  LogScale {
    if (!(min > 0) || !(max >= min)) {
      throw new IllegalArgumentException("bad log scale [" + min + ", " + max + "]");
    }
  }

  private double lowDecade() {
    return Math.floor(Math.log10(min) + 1e-9);
  }

  private double highDecade() {
    double high = Math.ceil(Math.log10(max) - 1e-9);
    return high > lowDecade() ? high : lowDecade() + 1;
  }

  @Override
  public double fraction(Object value) {
    double v = AxisScale.asNumber(value);
    if (!(v > 0)) {
      return Double.NaN;
    }
    return (Math.log10(v) - lowDecade()) / (highDecade() - lowDecade());
  }

  @Override
  public List<Tick> ticks() {
    List<Tick> ticks = new ArrayList<>();
    int low = (int) lowDecade();
    int high = (int) highDecade();
    boolean minor = high - low <= 2;
    for (int decade = low; decade <= high; decade++) {
      double power = Math.pow(10, decade);
      ticks.add(new Tick(fraction(power), Format.tick(power)));
      if (minor && decade < high) {
        ticks.add(new Tick(fraction(2 * power), Format.tick(2 * power)));
        ticks.add(new Tick(fraction(5 * power), Format.tick(5 * power)));
      }
    }
    return ticks;
  }
}
