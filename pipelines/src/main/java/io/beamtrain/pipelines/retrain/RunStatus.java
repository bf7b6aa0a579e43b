package io.beamtrain.pipelines.retrain;

/** How a retrain run ended. */
public enum RunStatus {
  /** The challenger became the champion: LATEST names its new version. */
  PROMOTED,
  /** The challenger did not beat the champion by {@code --minImprovement}; LATEST untouched. */
  REJECTED,
  /**
   * The challenger won its comparison and its version was written, but LATEST had moved since the
   * run read it (another retrain promoted first), so the compare-and-set refused it.
   */
  LOST_RACE
}
