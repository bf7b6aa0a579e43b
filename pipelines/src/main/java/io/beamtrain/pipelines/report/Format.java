package io.beamtrain.pipelines.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** How numbers, parameter values and durations read on the page. Stateless and thread-safe. */
final class Format {
  /** Shown for a missing or non-finite value. */
  static final String MISSING = "\u2014";

  private Format() {}

  /**
   * A number in at most 4 significant digits: whole numbers as integers ({@code 128}), very small
   * or large magnitudes in scientific notation ({@code 3.16e-5}, {@code 1.2e+6}), others plain
   * ({@code 0.9813}, {@code 12.35}).
   */
  static String number(double value) {
    if (!Double.isFinite(value)) {
      return MISSING;
    }
    double abs = Math.abs(value);
    if (value == Math.rint(value) && abs < 1e6) {
      return Long.toString((long) value);
    }
    if (abs != 0 && (abs < 1e-3 || abs >= 1e6)) {
      String text = String.format(Locale.ROOT, "%.2e", value);
      int e = text.indexOf('e');
      String mantissa = stripZeros(text.substring(0, e));
      int exponent = Integer.parseInt(text.substring(e + 1));
      return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
    }
    return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** A hyperparameter value: numbers as {@link #number}, lists joined by commas, null as "". */
  static String value(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Number n) {
      return number(n.doubleValue());
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Format::value).collect(Collectors.joining(","));
    }
    return String.valueOf(value);
  }

  /** A duration: {@code 12.3s}, {@code 4m 05s}, {@code 2h 03m}; null is {@link #MISSING}. */
  static String duration(Double seconds) {
    if (seconds == null || !Double.isFinite(seconds)) {
      return MISSING;
    }
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", seconds);
    }
    long whole = Math.round(seconds);
    if (whole < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", whole / 60, whole % 60);
    }
    return String.format(Locale.ROOT, "%dh %02dm", whole / 3600, (whole % 3600) / 60);
  }

  /** An axis tick: {@link #number}, with k/M suffixes from 10,000 up (steps read better so). */
  static String tick(double value) {
    double abs = Math.abs(value);
    if (abs >= 1e6 && abs < 1e9) {
      return number(value / 1e6) + "M";
    }
    if (abs >= 1e4 && abs < 1e6) {
      return number(value / 1e3) + "k";
    }
    return number(value);
  }

  /** A number for a machine to read back: a data attribute the page's script sorts by. */
  static String sortKey(double value) {
    return Double.isFinite(value) ? Double.toString(value) : "";
  }

  private static String stripZeros(String mantissa) {
    if (!mantissa.contains(".")) {
      return mantissa;
    }
    String out = mantissa.replaceAll("0+$", "");
    return out.endsWith(".") ? out.substring(0, out.length() - 1) : out;
  }
}
