package io.beamtrain.trainer.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs small writes (result.json, event-file flushes) on one background thread, in submission
 * order, so a training loop on an object store does not wait for uploads. {@link #drain()} waits
 * for everything submitted and rethrows the first failure; writes submitted after a failure are
 * skipped. Used by one training thread; {@link #close()} drains.
 */
public final class BackgroundWriter implements AutoCloseable {
  private final ExecutorService executor;
  private Future<?> last;
  /** The first failure, set by the writer thread. */
  private volatile RuntimeException failure;

  public BackgroundWriter(String threadName) {
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** Queues {@code write} after the writes submitted before it. */
  public void submit(Runnable write) {
    last =
        executor.submit(
            () -> {
              if (failure != null) {
                return;
              }
              try {
                write.run();
              } catch (RuntimeException e) {
                failure = e;
              }
            });
  }

  /** Waits for every submitted write (one thread runs them in order); throws the first failure. */
  public void drain() {
    if (last != null) {
      try {
        last.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("background write failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for background writes", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void close() {
    try {
      drain();
    } finally {
      executor.shutdown();
      try {
        executor.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
