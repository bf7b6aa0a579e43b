package io.beamtrain.pipelines.report;

/**
 * Escaping for text that goes into the page. Every value read from the sweep's files (trial ids,
 * parameter names and values, error messages, paths) passes through {@link #escape} before it is
 * written into an element or a quoted attribute, so no value can open a tag, close an attribute or
 * start a script. Thread-safe.
 */
final class Html {
  private Html() {}

  /**
   * Escapes {@code & < > " '} so the text is inert in element content and in single- or
   * double-quoted attribute values, in HTML and in inline SVG alike. Null becomes "".
   */
  static String escape(Object value) {
    if (value == null) {
      return "";
    }
    String text = String.valueOf(value);
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
