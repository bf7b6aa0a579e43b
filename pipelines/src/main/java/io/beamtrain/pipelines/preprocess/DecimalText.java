package io.beamtrain.pipelines.preprocess;

/**
 * The textual number grammar of NUMERIC cells: an optional sign, digits with an optional decimal
 * point, an optional exponent ({@code -1.5e-3}, {@code .5}, {@code 7.}). Stricter than {@link
 * Double#parseDouble}, which also takes {@code 1f}, {@code 0x1p3} and {@code Infinity}: those are
 * almost always data errors in a CSV file. {@code NaN} (any case) is read as a missing value, as
 * pandas does. Surrounding whitespace is ignored by the callers, which trim first.
 */
public final class DecimalText {
  private DecimalText() {}

  /** Whether {@code text} spells a finite decimal number in the grammar above. */
  public static boolean isDecimal(String text) {
    int n = text.length();
    int i = 0;
    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && isDigit(text.charAt(i))) {
      i++;
      digits++;
    }
    int integerDigits = digits;
    if (i < n && text.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(text.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    boolean exponent = i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E');
    if (exponent) {
      i++;
      if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
        i++;
      }
      int exponentDigits = 0;
      while (i < n && isDigit(text.charAt(i))) {
        i++;
        exponentDigits++;
      }
      if (exponentDigits == 0) {
        return false;
      }
    }
    if (i != n) {
      return false;
    }
    // Only an exponent or more than 308 integer digits can overflow to infinity; skip the parse
    // otherwise, this runs on every numeric cell.
    return (!exponent && integerDigits <= 308) || Double.isFinite(Double.parseDouble(text));
  }

  /** Whether {@code text} is a decimal number without fraction digits or exponent. */
  public static boolean isInteger(String text) {
    int n = text.length();
    int i = text.startsWith("+") || text.startsWith("-") ? 1 : 0;
    if (i == n) {
      return false;
    }
    for (; i < n; i++) {
      if (!isDigit(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code text} is the spelling of a missing number ({@code NaN}, any case). */
  public static boolean isNaN(String text) {
    return text.equalsIgnoreCase("nan");
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
