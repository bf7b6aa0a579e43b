package io.beamtrain.pipelines.sweep;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which checkpoint a trial that has none of its own starts from: none (random initialisation,
 * every sweep), or a model's checkpoint for every trial whose architecture matches that model's
 * (retrain's challengers start from the champion). A rule over a trial's hyperparameters rather
 * than a list of trial ids, so trials a search proposes while it runs (TPE, ASHA) are warm-started
 * by the same rule. A trial that already holds a checkpoint resumes from it instead (see {@code
 * TrialRunner}), so a promoted or re-run trial continues its own weights.
 *
 * @param checkpointPrefix the checkpoint to start from, or null for none
 * @param architecture the model's hyperparameters that decide the variables' shapes ({@link
 *     #ARCHITECTURE}), as text
 */
public record WarmStart(String checkpointPrefix, TreeMap<String, String> architecture) implements Serializable {
  /** Hyperparameters that decide the variables' shapes; warm starting needs them equal. */
  public static final Set<String> ARCHITECTURE = Set.of("model", "hidden_units", "num_layers", "hidden_layers");

  private static final WarmStart NONE = new WarmStart(null, new TreeMap<>());

  public WarmStart {
    architecture = new TreeMap<>(architecture);
  }

  /** Every trial starts from random weights. */
  public static WarmStart none() {
    return NONE;
  }

  /** Trials shaped like the model of {@code params} start from {@code checkpointPrefix}. */
  public static WarmStart from(String checkpointPrefix, Map<String, ?> params) {
    Objects.requireNonNull(checkpointPrefix, "checkpointPrefix");
    return new WarmStart(checkpointPrefix, architectureOf(params));
  }

  /** The checkpoint a trial with {@code params} starts from, or null for random weights. */
  public String checkpointFor(Map<String, ?> params) {
    return checkpointPrefix != null && architecture.equals(architectureOf(params)) ? checkpointPrefix : null;
  }

  private static TreeMap<String, String> architectureOf(Map<String, ?> params) {
    TreeMap<String, String> shape = new TreeMap<>();
    for (String key : ARCHITECTURE) {
      shape.put(key, String.valueOf(params.get(key)));
    }
    return shape;
  }
}
