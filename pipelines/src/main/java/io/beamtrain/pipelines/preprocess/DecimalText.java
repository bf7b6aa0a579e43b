package io.beamtrain.pipelines.preprocess;

/**
 * The textual number grammar of NUMERIC cells: an optional sign, digits with an optional decimal
 * point, an optional exponent ({@code -1.5e-3}, {@code .5}, {@code 7.}). Stricter than {@link
 * Double#parseDouble}, which also takes {@code 1f}, {@code 0x1p3} and {@code Infinity}: those are
 * almost always data errors in a CSV file. {@code NaN} (any case) is read as a missing value, as
 * pandas does. Surrounding whitespace is ignored by the callers, which trim first.
 *
 * <p>A number must also fit a 32-bit float, the type tf.Example and the serving signature carry
 * NUMERIC values in: beyond about 3.4e38 ({@code 1e39}, {@code 1e400}) it would become infinity,
 * whose z-score is NaN and whose mean poisons the column's statistics, so it is no number here.
 * Nor are {@code inf} and {@code Infinity}. Tiny values that round to zero are numbers.
 */
public final class DecimalText {
  private DecimalText() {}

  /** Whether {@code text} spells a decimal number in the grammar above, in the float range. */
  public static boolean isDecimal(String text) {
    return switch (grammar(text)) {
      case NOT_A_NUMBER -> false;
      case WITHIN_FLOAT_RANGE -> true;
      case NEEDS_RANGE_CHECK -> Float.isFinite(Float.parseFloat(text));
    };
  }

  /** Whether {@code text} follows the grammar but is too large for a 32-bit float. */
  public static boolean isBeyondFloatRange(String text) {
    return grammar(text) == Spelling.NEEDS_RANGE_CHECK && !Float.isFinite(Float.parseFloat(text));
  }

  private enum Spelling {
    NOT_A_NUMBER,
    WITHIN_FLOAT_RANGE,
    NEEDS_RANGE_CHECK
  }

  private static Spelling grammar(String text) {
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
      return Spelling.NOT_A_NUMBER;
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
        return Spelling.NOT_A_NUMBER;
      }
    }
    if (i != n) {
      return Spelling.NOT_A_NUMBER;
    }
    // Only an exponent or more than 38 integer digits can overflow a float; skip the parse
    // otherwise, this runs on every numeric cell.
    return !exponent && integerDigits <= 38
        ? Spelling.WITHIN_FLOAT_RANGE
        : Spelling.NEEDS_RANGE_CHECK;
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
