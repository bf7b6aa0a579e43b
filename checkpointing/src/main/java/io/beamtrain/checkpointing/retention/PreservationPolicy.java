package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import java.util.List;
import java.util.Map;

/**
 * One retention rule, in the style of Orbax's {@code PreservationPolicy}: given the checkpoints a
 * manager knows (oldest first), say which to keep and why. Rules are small and combine with
 * {@link AnyOf}; a checkpoint no rule keeps is deleted by the manager.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface PreservationPolicy {

  /**
   * The steps this rule keeps, each with a human-readable reason for the debug log.
   *
   * @param checkpoints oldest first (save order), steps unique
   */
  Map<Long, String> preserve(List<Checkpoint> checkpoints, PreservationContext context);

  /** A short description for log messages, e.g. {@code "the 5 most recent"}. */
  String describe();
}
