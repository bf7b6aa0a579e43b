package io.beamtrain.checkpointing.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * What a rule may know besides the checkpoints.
 *
 * @param now the manager's clock at the time of the decision
 * @param lastPreserved Python's {@code last_preserved_timestamp}: when the newest checkpoint kept
 *     by the every-N-hours rule was saved (or, before any, when retention started)
 */
public record PreservationContext(Instant now, Instant lastPreserved) {
  public PreservationContext {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lastPreserved, "lastPreserved");
  }
}
