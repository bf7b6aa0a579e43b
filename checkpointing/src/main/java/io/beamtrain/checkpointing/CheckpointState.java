package io.beamtrain.checkpointing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * TensorFlow's {@code CheckpointState} proto ({@code tensorflow/python/training/checkpoint_state.proto}),
 * the content of a directory's {@code checkpoint} file, in the protobuf text format exactly as
 * Python's {@code tf.train.CheckpointManager} / {@code Saver} write it:
 *
 * <pre>
 * model_checkpoint_path: "model.ckpt-200"
 * all_model_checkpoint_paths: "model.ckpt-100"
 * all_model_checkpoint_paths: "model.ckpt-200"
 * all_model_checkpoint_timestamps: 1700000000.25
 * all_model_checkpoint_timestamps: 1700000600.5
 * last_preserved_timestamp: 1699999999.0
 * </pre>
 *
 * Paths are relative to the directory (absolute ones are kept as written); lists are oldest first;
 * timestamps are seconds since the epoch, printed as Python's {@code repr(float)}; fields at their
 * proto3 default (empty string, 0.0) are omitted, as Python's {@code text_format} omits them.
 *
 * @param modelCheckpointPath the newest checkpoint, "" when none
 * @param allModelCheckpointPaths the checkpoints the writer keeps track of, oldest first
 * @param allModelCheckpointTimestamps their save times (empty in files from old TF versions)
 * @param lastPreservedTimestamp time of the last checkpoint kept by keep_checkpoint_every_n_hours
 */
public record CheckpointState(
    String modelCheckpointPath,
    List<String> allModelCheckpointPaths,
    List<Double> allModelCheckpointTimestamps,
    double lastPreservedTimestamp) {

  /** The file name inside a checkpoint directory. */
  public static final String FILE_NAME = "checkpoint";

  public CheckpointState {
    Objects.requireNonNull(modelCheckpointPath, "modelCheckpointPath");
    allModelCheckpointPaths = List.copyOf(allModelCheckpointPaths);
    allModelCheckpointTimestamps = List.copyOf(allModelCheckpointTimestamps);
  }

  /**
   * Parses the text proto; {@code file} names the source in error messages.
   *
   * @throws CheckpointStateFormatException naming the file and line on any syntax error, unknown
   *     field, repeated singular field, or a timestamp count that does not match the path count
   */
  public static CheckpointState parse(String text, String file) {
    CheckpointState state = new CheckpointStateParser(text, file).parse();
    int paths = state.allModelCheckpointPaths.size();
    int times = state.allModelCheckpointTimestamps.size();
    if (times != 0 && times != paths) {
      throw new CheckpointStateFormatException(
          file,
          "has " + paths + " all_model_checkpoint_paths but " + times
              + " all_model_checkpoint_timestamps");
    }
    return state;
  }

  /** Parses UTF-8 bytes; see {@link #parse(String, String)}. */
  public static CheckpointState parse(byte[] bytes, String file) {
    return parse(new String(bytes, StandardCharsets.UTF_8), file);
  }

  /** The text proto, byte for byte as Python's {@code text_format.MessageToString} prints it. */
  public String format() {
    StringBuilder out = new StringBuilder();
    if (!modelCheckpointPath.isEmpty()) {
      out.append("model_checkpoint_path: ").append(quote(modelCheckpointPath)).append('\n');
    }
    for (String path : allModelCheckpointPaths) {
      out.append("all_model_checkpoint_paths: ").append(quote(path)).append('\n');
    }
    for (double t : allModelCheckpointTimestamps) {
      out.append("all_model_checkpoint_timestamps: ").append(pythonRepr(t)).append('\n');
    }
    if (lastPreservedTimestamp != 0.0) {
      out.append("last_preserved_timestamp: ").append(pythonRepr(lastPreservedTimestamp)).append('\n');
    }
    return out.toString();
  }

  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }

  /** Python's {@code text_encoding.CEscape(s, as_utf8=False)} inside double quotes. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\'' -> out.append("\\'");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 32 || c >= 127) {
            out.append(String.format("\\%03o", c));
          } else {
            out.append((char) c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * Python 3's {@code repr(float)}: the shortest decimal that reads back as the same double, in
   * positional notation when the decimal exponent is in [-4, 16), else as {@code 1.5e+16}.
   */
  static String pythonRepr(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0.0) {
      return (1 / v < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(v);
    BigDecimal shortest = null;
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == v) {
        shortest = candidate;
        break;
      }
    }
    BigDecimal d = Objects.requireNonNull(shortest).stripTrailingZeros();
    String digits = d.unscaledValue().abs().toString();
    // Position of the decimal point relative to the digit string: value = 0.DIGITS * 10^decpt.
    int decpt = digits.length() - d.scale();
    String sign = v < 0 ? "-" : "";
    if (decpt > -4 && decpt <= 16) {
      if (decpt <= 0) {
        return sign + "0." + "0".repeat(-decpt) + digits;
      }
      if (decpt >= digits.length()) {
        return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
      }
      return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
    }
    int exponent = decpt - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exp = String.format("%02d", Math.abs(exponent));
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
  }
}
