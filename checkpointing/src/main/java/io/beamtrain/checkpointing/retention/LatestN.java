package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the {@code n} most recently saved checkpoints: Python's {@code max_to_keep}, which counts
 * recent checkpoints only (the ones kept for other reasons do not use up its slots).
 */
public record LatestN(int n) implements PreservationPolicy {
  public LatestN {
    if (n < 1) {
      throw new IllegalArgumentException("LatestN needs n >= 1, was " + n);
    }
  }

  @Override
  public Map<Long, String> preserve(List<Checkpoint> checkpoints, PreservationContext context) {
    Map<Long, String> kept = new LinkedHashMap<>();
    int size = checkpoints.size();
    for (int i = Math.max(0, size - n); i < size; i++) {
      int rank = size - i;
      kept.put(checkpoints.get(i).step(), "#" + rank + " of " + describe());
    }
    return kept;
  }

  @Override
  public String describe() {
    return "the " + n + " most recent";
  }
}
