package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.Goal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the {@code n} checkpoints with the best value of {@code metric} (Orbax's {@code BestN}).
 * Checkpoints without the metric, or with NaN, are never "best"; among equal values the more
 * recent one wins.
 */
public record BestN(int n, String metric, Goal goal) implements PreservationPolicy {
  public BestN {
    if (n < 1) {
      throw new IllegalArgumentException("BestN needs n >= 1, was " + n);
    }
    Objects.requireNonNull(goal, "goal");
    if (metric == null || metric.isBlank()) {
      throw new IllegalArgumentException("BestN needs a metric name, was '" + metric + "'");
    }
  }

  @Override
  public Map<Long, String> preserve(List<Checkpoint> checkpoints, PreservationContext context) {
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < checkpoints.size(); i++) {
      if (!Double.isNaN(checkpoints.get(i).metric(metric))) {
        candidates.add(i);
      }
    }
    Comparator<Integer> better =
        Comparator.<Integer>comparingDouble(i -> checkpoints.get(i).metric(metric));
    if (goal == Goal.MAXIMIZE) {
      better = better.reversed();
    }
    candidates.sort(better.thenComparing(Comparator.<Integer>reverseOrder()));
    Map<Long, String> kept = new LinkedHashMap<>();
    for (int rank = 0; rank < Math.min(n, candidates.size()); rank++) {
      Checkpoint c = checkpoints.get(candidates.get(rank));
      kept.put(c.step(), "#" + (rank + 1) + " of " + describe() + " (" + metric + "=" + c.metric(metric) + ")");
    }
    return kept;
  }

  @Override
  public String describe() {
    return "the " + n + " best by " + metric + " (" + goal + ")";
  }
}
