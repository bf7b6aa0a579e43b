package io.beamtrain.trainer;

import java.util.Set;

/**
 * The names of the per-trial metrics that describe the trained model rather than its evaluation:
 * they are the same at every step, so they sit in a trial's {@code metrics} (not its {@code
 * history}), measured once the trial has a best checkpoint ({@code ModelCost} in the export
 * package). Multi-objective studies trade them off against an {@code eval_*} metric.
 */
public final class ModelMetrics {
  /** The trainable parameter count of the trial's network (the serving graph's variables). */
  public static final String MODEL_PARAMS = "model_params";
  /** Median wall time of scoring one row through the serving signature, in milliseconds. */
  public static final String SERVING_LATENCY_MS = "serving_latency_ms";

  /** Every model metric. */
  public static final Set<String> NAMES = Set.of(MODEL_PARAMS, SERVING_LATENCY_MS);

  private ModelMetrics() {}
}
