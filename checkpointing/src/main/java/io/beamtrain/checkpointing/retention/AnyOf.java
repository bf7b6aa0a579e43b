package io.beamtrain.checkpointing.retention;

import io.beamtrain.checkpointing.Checkpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Keeps what any of its rules keeps (Orbax's {@code AnyPreservationPolicy}); reasons are joined. */
public record AnyOf(List<PreservationPolicy> policies) implements PreservationPolicy {
  public AnyOf {
    policies = List.copyOf(policies);
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("AnyOf needs at least one policy");
    }
  }

  public static AnyOf of(PreservationPolicy... policies) {
    return new AnyOf(List.of(policies));
  }

  @Override
  public Map<Long, String> preserve(List<Checkpoint> checkpoints, PreservationContext context) {
    Map<Long, String> kept = new LinkedHashMap<>();
    for (PreservationPolicy policy : policies) {
      policy.preserve(checkpoints, context).forEach((step, reason) -> kept.merge(step, reason, (a, b) -> a + "; " + b));
    }
    return kept;
  }

  @Override
  public String describe() {
    return policies.stream().map(PreservationPolicy::describe).collect(Collectors.joining(", "));
  }
}
