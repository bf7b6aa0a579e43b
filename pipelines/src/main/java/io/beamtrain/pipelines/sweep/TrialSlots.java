package io.beamtrain.pipelines.sweep;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Caps how many trials train at once in one worker JVM, whatever the runner's own thread count:
 * a trial that finds every slot taken waits for one. The DirectRunner runs its scheduler on the
 * same fixed pool as the bundles, so a pool full of long trials leaves nobody to schedule the next
 * bundle and trials start in waves; the sweep gives it more threads than trials and lets these
 * slots hold the concurrency at {@link TrialSettings#concurrentTrials()}. One semaphore per slot
 * count, shared by all DoFn instances of the JVM. Thread-safe.
 */
final class TrialSlots {
  private static final Map<Integer, Semaphore> SLOTS = new ConcurrentHashMap<>();

  private TrialSlots() {}

  /** Runs {@code body} holding one of {@code slots} slots. */
  static <T> T run(int slots, Supplier<T> body) {
    Semaphore semaphore = SLOTS.computeIfAbsent(slots, Semaphore::new);
    try {
      semaphore.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a trial slot", e);
    }
    try {
      return body.get();
    } finally {
      semaphore.release();
    }
  }
}
