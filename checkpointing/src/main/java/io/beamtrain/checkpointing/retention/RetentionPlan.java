package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one retention pass.
 *
 * @param keep checkpoints that stay listed in the state file, oldest first
 * @param preserved checkpoints kept forever by the every-N-hours rule: dropped from the state file
 *     so it does not grow without bound, their files never deleted (as Python does)
 * @param delete checkpoints to unlist and then delete
 * @param lastPreserved the new {@code last_preserved_timestamp}
 */
public record RetentionPlan(
    List<Checkpoint> keep, List<Checkpoint> preserved, List<Checkpoint> delete, Instant lastPreserved) {
  public RetentionPlan {
    keep = List.copyOf(keep);
    preserved = List.copyOf(preserved);
    delete = List.copyOf(delete);
  }
}
