package io.beamtrain.checkpointing;

import java.time.Duration;

/**
 * Told when a checkpoint became durable: its state file was committed listing it. Set with {@link
 * CheckpointManagerOptions.Builder#commitListener}.
 *
 * <p>Called once per committed checkpoint, in step order of the saves, after retention applied
 * (so {@link CheckpointManager#all()} already lists it); never for a save whose upload or commit
 * failed. Synchronous managers call it on the thread of {@code save}, before {@code save}
 * returns; async ones on their background thread, so an implementation must be thread-safe and
 * quick (it delays the next queued save). An exception it throws is logged at warn and does not
 * fail the save.
 */
@FunctionalInterface
public interface CheckpointCommitListener {
  /**
   * @param checkpoint the committed checkpoint
   * @param sinceSave from the call of {@link CheckpointManager#save} to the commit of the state
   *     file: the whole latency until the checkpoint is durable, queueing and upload included
   */
  void committed(Checkpoint checkpoint, Duration sinceSave);
}
