package io.beamtrain.checkpointing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code <name>.metrics.json} file beamtrain writes beside each checkpoint, before the state
 * file commits it. TensorFlow's state file has no room for metrics, and keep-best retention must
 * survive a restart, so they live here:
 *
 * <pre>{"step":200,"timestamp":1700000000.25,"metrics":{"eval_loss":0.31,"eval_accuracy":0.9}}</pre>
 *
 * {@code timestamp} is the save time in epoch seconds (the same value the state file lists);
 * non-finite metric values are written as the strings {@code "NaN"}, {@code "Infinity"}, {@code
 * "-Infinity"}. The sidecar is also beamtrain's mark of ownership: orphan collection only deletes
 * files of checkpoints that have (or had) one. Python ignores it.
 */
record MetricsSidecar(long step, double timestamp, Map<String, Double> metrics) {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  MetricsSidecar {
    metrics = Map.copyOf(metrics);
  }

  byte[] toBytes() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("step", step);
    out.put("timestamp", timestamp);
    Map<String, Object> sorted = new TreeMap<>();
    metrics.forEach((k, v) -> sorted.put(k, Double.isFinite(v) ? v : (Object) v.toString()));
    out.put("metrics", sorted);
    try {
      return JSON.writeValueAsBytes(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode metrics of step " + step, e);
    }
  }

  /**
   * @throws IllegalArgumentException naming {@code file} when the content is not a sidecar
   */
  static MetricsSidecar parse(byte[] bytes, String file) {
    try {
      var root = JSON.readTree(bytes);
      if (root == null || !root.isObject() || !root.path("step").canConvertToLong()
          || !root.path("timestamp").isNumber() || !root.path("metrics").isObject()) {
        throw new IllegalArgumentException(
            file + ": not a metrics sidecar (needs numeric \"step\", \"timestamp\" and an object \"metrics\")");
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      var fields = root.get("metrics").fields();
      while (fields.hasNext()) {
        var field = fields.next();
        var value = field.getValue();
        if (value.isNumber()) {
          metrics.put(field.getKey(), value.asDouble());
        } else if (value.isTextual()) {
          metrics.put(field.getKey(), parseNonFinite(value.asText(), file, field.getKey()));
        } else {
          throw new IllegalArgumentException(
              file + ": metric \"" + field.getKey() + "\" is not a number: " + value);
        }
      }
      return new MetricsSidecar(root.get("step").asLong(), root.get("timestamp").asDouble(), metrics);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  Instant instant() {
    return Timestamps.fromSeconds(timestamp);
  }

  private static double parseNonFinite(String text, String file, String metric) {
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> throw new IllegalArgumentException(
          file + ": metric \"" + metric + "\" is not a number: \"" + text + "\"");
    };
  }
}
