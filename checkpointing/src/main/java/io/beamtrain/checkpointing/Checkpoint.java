package io.beamtrain.checkpointing;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One committed checkpoint.
 *
 * @param step the training step ({@code model.ckpt-<step>})
 * @param prefix full path without suffix, e.g. {@code gs://b/trial-1/model.ckpt-200}; TensorFlow
 *     files are {@code prefix.index} and {@code prefix.data-00000-of-00001}
 * @param timestamp when it was saved (as recorded in the state file)
 * @param metrics the metrics passed to {@code save}, empty when unknown
 */
public record Checkpoint(long step, String prefix, Instant timestamp, Map<String, Double> metrics) {
  public Checkpoint {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(timestamp, "timestamp");
    metrics = Map.copyOf(metrics);
  }

  /** The metric's value, or NaN when this checkpoint has none under that name. */
  public double metric(String name) {
    Double value = metrics.get(name);
    return value == null ? Double.NaN : value;
  }

  /** Seconds since the epoch with sub-second precision, as Python's {@code time.time()}. */
  public double timestampSeconds() {
    return Timestamps.toSeconds(timestamp);
  }
}
