package io.beamtrain.checkpointing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A strict parser for the {@link CheckpointState} text proto, accepting what protobuf's text
 * format allows for these four fields: {@code #} comments; a colon after each field name;
 * single- or double-quoted strings with C escapes and adjacent-literal concatenation; list syntax {@code [a, b]} for repeated fields; optional {@code
 * ,} or {@code ;} after a field; {@code inf}/{@code nan} and a trailing {@code f} on numbers.
 */
final class CheckpointStateParser {
  private final String text;
  private final String file;
  private int pos;
  private int line = 1;
  private int lineStart;

  private String modelCheckpointPath;
  private final List<String> paths = new ArrayList<>();
  private final List<Double> timestamps = new ArrayList<>();
  private Double lastPreserved;

  CheckpointStateParser(String text, String file) {
    this.text = text;
    this.file = file;
  }

  CheckpointState parse() {
    skipSpaceAndComments();
    while (pos < text.length()) {
      int fieldLine = line;
      int fieldColumn = column();
      String field = identifier();
      skipSpaceAndComments();
      expect(':', "after field name '" + field + "'");
      skipSpaceAndComments();
      switch (field) {
        case "model_checkpoint_path" -> {
          if (modelCheckpointPath != null) {
            throw error(fieldLine, fieldColumn, "model_checkpoint_path is given more than once");
          }
          modelCheckpointPath = string();
        }
        case "all_model_checkpoint_paths" -> repeated(() -> paths.add(string()));
        case "all_model_checkpoint_timestamps" -> repeated(() -> timestamps.add(number()));
        case "last_preserved_timestamp" -> {
          if (lastPreserved != null) {
            throw error(fieldLine, fieldColumn, "last_preserved_timestamp is given more than once");
          }
          lastPreserved = number();
        }
        default -> throw error(
            fieldLine, fieldColumn, "unknown field '" + field + "' in CheckpointState");
      }
      skipSpaceAndComments();
      if (pos < text.length() && (peek() == ',' || peek() == ';')) {
        pos++;
        skipSpaceAndComments();
      }
    }
    return new CheckpointState(
        modelCheckpointPath == null ? "" : modelCheckpointPath,
        paths,
        timestamps,
        lastPreserved == null ? 0.0 : lastPreserved);
  }

  private void repeated(Runnable value) {
    if (pos < text.length() && peek() == '[') {
      pos++;
      skipSpaceAndComments();
      if (pos < text.length() && peek() == ']') {
        pos++;
        return;
      }
      while (true) {
        value.run();
        skipSpaceAndComments();
        if (pos < text.length() && peek() == ',') {
          pos++;
          skipSpaceAndComments();
          continue;
        }
        expect(']', "to close the list");
        return;
      }
    }
    value.run();
  }

  private String identifier() {
    int start = pos;
    if (pos >= text.length() || !isIdentifierStart(peek())) {
      throw error(line, column(), "expected a field name, found " + describe());
    }
    while (pos < text.length() && isIdentifierPart(peek())) {
      pos++;
    }
    return text.substring(start, pos);
  }

  /** One or more adjacent quoted literals, concatenated (as protobuf does). */
  private String string() {
    if (pos >= text.length() || (peek() != '"' && peek() != '\'')) {
      throw error(line, column(), "expected a quoted string, found " + describe());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    while (pos < text.length() && (peek() == '"' || peek() == '\'')) {
      literal(bytes);
      skipSpaceAndComments();
    }
    return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
  }

  private void literal(ByteArrayOutputStream out) {
    int startLine = line;
    int startColumn = column();
    char quote = text.charAt(pos++);
    while (true) {
      if (pos >= text.length() || peek() == '\n') {
        throw error(startLine, startColumn, "string is not terminated");
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return;
      }
      if (c != '\\') {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      if (pos >= text.length()) {
        throw error(startLine, startColumn, "string ends inside an escape");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case 'a' -> out.write(7);
        case 'b' -> out.write('\b');
        case 'f' -> out.write('\f');
        case 'v' -> out.write(11);
        case '\\', '\'', '"', '?' -> out.write(e);
        case 'x' -> out.write(digits(16, 2, 1));
        default -> {
          if (e >= '0' && e <= '7') {
            pos--;
            out.write(digits(8, 3, 1));
          } else {
            throw error(line, column() - 2, "invalid escape '\\" + e + "' in string");
          }
        }
      }
    }
  }

  private int digits(int radix, int max, int min) {
    int start = pos;
    while (pos < text.length() && pos - start < max && Character.digit(peek(), radix) >= 0) {
      pos++;
    }
    if (pos - start < min) {
      throw error(line, column(), "escape needs a base-" + radix + " digit");
    }
    int value = Integer.parseInt(text.substring(start, pos), radix);
    if (value > 255) {
      throw error(line, column(), "escape value " + value + " is not a byte");
    }
    return value;
  }

  private double number() {
    int startColumn = column();
    int start = pos;
    while (pos < text.length() && isNumberChar(peek())) {
      pos++;
    }
    String token = text.substring(start, pos);
    if (token.isEmpty()) {
      throw error(line, startColumn, "expected a number, found " + describe());
    }
    String lower = token.toLowerCase(Locale.ROOT);
    String unsigned = lower.startsWith("-") ? lower.substring(1) : lower;
    double sign = lower.startsWith("-") ? -1 : 1;
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return sign * Double.POSITIVE_INFINITY;
    }
    if (unsigned.equals("nan")) {
      return Double.NaN;
    }
    String numeric = lower.endsWith("f") ? lower.substring(0, lower.length() - 1) : lower;
    if (!numeric.matches("-?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
      throw error(line, startColumn, "'" + token + "' is not a number");
    }
    return Double.parseDouble(numeric);
  }

  private void expect(char c, String where) {
    if (pos >= text.length() || peek() != c) {
      throw error(line, column(), "expected '" + c + "' " + where + ", found " + describe());
    }
    pos++;
  }

  private void skipSpaceAndComments() {
    while (pos < text.length()) {
      char c = peek();
      if (c == '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '#') {
        while (pos < text.length() && peek() != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private String describe() {
    if (pos >= text.length()) {
      return "end of file";
    }
    int end = pos;
    while (end < text.length() && end - pos < 20 && !Character.isWhitespace(text.charAt(end))) {
      end++;
    }
    return "'" + text.substring(pos, Math.max(end, pos + 1)) + "'";
  }

  private char peek() {
    return text.charAt(pos);
  }

  private int column() {
    return pos - lineStart + 1;
  }

  private CheckpointStateFormatException error(int atLine, int atColumn, String problem) {
    return new CheckpointStateFormatException(file, atLine, atColumn, problem);
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static boolean isNumberChar(char c) {
    return Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '+';
  }
}
