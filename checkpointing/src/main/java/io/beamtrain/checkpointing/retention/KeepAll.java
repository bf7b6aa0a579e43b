package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keeps every checkpoint: Python's {@code max_to_keep=None} (0 in the options). */
public record KeepAll() implements PreservationPolicy {
  @Override
  public Map<Long, String> preserve(List<Checkpoint> checkpoints, PreservationContext context) {
    Map<Long, String> kept = new LinkedHashMap<>();
    checkpoints.forEach(c -> kept.put(c.step(), "all checkpoints are kept"));
    return kept;
  }

  @Override
  public String describe() {
    return "all";
  }
}
