package io.beamtrain.trainer.train;

/**
 * Where an attempt's training loop spent its wall time, for throughput reporting and benchmarks.
 *
 * @param steps optimizer updates run in this attempt
 * @param examples training examples consumed ({@code steps * batch_size})
 * @param loopSeconds the whole loop: steps, evaluations and checkpoints
 * @param evalSeconds evaluations
 * @param checkpointSeconds time the loop was blocked checkpointing (saving or snapshotting the
 *     variables, writing result.json and flushing events; with async checkpoints the upload and
 *     commit run in the background and are not counted)
 */
public record LoopTimings(
    long steps, long examples, double loopSeconds, double evalSeconds, double checkpointSeconds) {

  /** Training examples per second of loop time (evaluations and checkpoints included). */
  public double examplesPerSecond() {
    return loopSeconds > 0 ? examples / loopSeconds : 0;
  }
}
