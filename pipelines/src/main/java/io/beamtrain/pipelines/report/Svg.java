package io.beamtrain.pipelines.report;

import java.util.Locale;

/**
 * Writes inline SVG elements. Coordinates are rounded to 0.1 user unit (sharp enough for a screen,
 * small enough for pages with hundreds of curves); text passes through {@link Html#escape}. Not
 * thread-safe (it wraps a StringBuilder).
 */
final class Svg {
  private final StringBuilder out = new StringBuilder();

  /** A coordinate as written in the document. */
  static String n(double value) {
    double rounded = Math.round(value * 10) / 10.0;
    return rounded == Math.rint(rounded)
        ? Long.toString((long) rounded)
        : String.format(Locale.ROOT, "%.1f", rounded);
  }

  Svg raw(String markup) {
    out.append(markup);
    return this;
  }

  Svg line(double x1, double y1, double x2, double y2, String cssClass) {
    out.append("<line class=\"").append(cssClass).append("\" x1=\"").append(n(x1))
        .append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
        .append("\" y2=\"").append(n(y2)).append("\"/>");
    return this;
  }

  /** A text element; {@code anchor} is start, middle or end; {@code tooltip} may be null. */
  Svg text(double x, double y, String anchor, String cssClass, String content, String tooltip) {
    out.append("<text class=\"").append(cssClass).append("\" x=\"").append(n(x))
        .append("\" y=\"").append(n(y)).append("\" text-anchor=\"").append(anchor).append("\">");
    if (tooltip != null) {
      out.append("<title>").append(Html.escape(tooltip)).append("</title>");
    }
    out.append(Html.escape(content)).append("</text>");
    return this;
  }

  Svg open(String tag, String attributes) {
    out.append('<').append(tag).append(attributes.isEmpty() ? "" : " " + attributes).append('>');
    return this;
  }

  Svg close(String tag) {
    out.append("</").append(tag).append('>');
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
