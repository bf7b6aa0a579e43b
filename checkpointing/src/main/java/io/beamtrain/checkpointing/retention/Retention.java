package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies retention rules the way Python's {@code tf.train.CheckpointManager._sweep} does, in two
 * stages:
 *
 * <ol>
 *   <li>{@code listed} (e.g. {@code AnyOf(LatestN(5), BestN(2, "eval_loss", MINIMIZE))}) decides
 *       which checkpoints stay in the state file;
 *   <li>the others, oldest first, are offered to {@code hourly} ({@code keep_checkpoint_every_n_hours}):
 *       one it keeps is preserved forever and becomes the new {@code last_preserved_timestamp};
 *       the rest are deleted.
 * </ol>
 *
 * Every decision is logged at debug level with its reason. Immutable and thread-safe.
 */
public final class Retention {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  private final PreservationPolicy listed;
  private final Optional<EveryNHours> hourly;

  public Retention(PreservationPolicy listed, Optional<EveryNHours> hourly) {
    this.listed = listed;
    this.hourly = hourly;
  }

  public PreservationPolicy listed() {
    return listed;
  }

  public Optional<EveryNHours> hourly() {
    return hourly;
  }

  /** Decides for {@code checkpoints} (oldest first, the one just saved last). */
  public RetentionPlan plan(List<Checkpoint> checkpoints, PreservationContext context) {
    Map<Long, String> listedReasons = listed.preserve(checkpoints, context);
    List<Checkpoint> keep = new ArrayList<>();
    List<Checkpoint> released = new ArrayList<>();
    for (Checkpoint c : checkpoints) {
      String reason = listedReasons.get(c.step());
      if (reason != null) {
        keep.add(c);
        LOG.debug("keep step {}: {}", c.step(), reason);
      } else {
        released.add(c);
      }
    }
    Map<Long, String> hourlyReasons =
        hourly.map(h -> h.preserve(released, context)).orElse(Map.of());
    List<Checkpoint> preserved = new ArrayList<>();
    List<Checkpoint> delete = new ArrayList<>();
    Instant lastPreserved = context.lastPreserved();
    for (Checkpoint c : released) {
      String reason = hourlyReasons.get(c.step());
      if (reason != null) {
        preserved.add(c);
        lastPreserved = c.timestamp();
        LOG.debug("preserve step {} forever (unlisted): {}", c.step(), reason);
      } else {
        delete.add(c);
        LOG.debug(
            "delete step {}: not among {}{}",
            c.step(),
            listed.describe(),
            hourly.map(h -> ", and not " + h.describe() + " since " + context.lastPreserved()).orElse(""));
      }
    }
    return new RetentionPlan(keep, preserved, delete, lastPreserved);
  }
}
