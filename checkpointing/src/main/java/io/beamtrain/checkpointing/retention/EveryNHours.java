package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Python's {@code keep_checkpoint_every_n_hours}: walking the checkpoints oldest first from
 * {@link PreservationContext#lastPreserved()}, keeps each one saved at least {@code interval}
 * after the previously kept one (which then becomes the reference). The manager applies it, as
 * Python's {@code CheckpointManager._sweep} does, only to checkpoints the other rules let go, and
 * at that moment.
 */
public record EveryNHours(Duration interval) implements PreservationPolicy {
  public EveryNHours {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("keepCheckpointEveryNHours must be positive, was " + interval);
    }
  }

  @Override
  public Map<Long, String> preserve(List<Checkpoint> checkpoints, PreservationContext context) {
    Map<Long, String> kept = new LinkedHashMap<>();
    Instant reference = context.lastPreserved();
    for (Checkpoint c : checkpoints) {
      if (!c.timestamp().isBefore(reference.plus(interval))) {
        kept.put(c.step(), "saved " + Duration.between(reference, c.timestamp())
            + " after the last preserved checkpoint (" + reference + "), at least " + interval);
        reference = c.timestamp();
      }
    }
    return kept;
  }

  @Override
  public String describe() {
    return "one every " + interval;
  }
}
