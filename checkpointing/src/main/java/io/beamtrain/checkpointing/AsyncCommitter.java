package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.SaverGraph.SavedVariable;
import io.beamtrain.checkpointing.storage.StoragePaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/**
 * The background half of an async {@link CheckpointManager}: a bounded queue of variable
 * snapshots and one thread that writes each to a local staging directory, releases it, and hands
 * the files to the committer, in submission order.
 *
 * <p>Fail-stop: after one background save fails, the queued snapshots are dropped and every later
 * {@link #submit}, {@link #flush} and {@link #close} throws a {@link CheckpointException} carrying
 * the first failure, so it is never silently lost. Thread-safe.
 */
final class AsyncCommitter implements AutoCloseable {
  /**
   * Writes a staged checkpoint into the directory and commits it; {@code saveStartedNanos} is the
   * {@code System.nanoTime()} of the {@code save} call that submitted it.
   */
  interface Committer {
    void commit(Checkpoint checkpoint, Path stagingDirectory, String localPrefix, long saveStartedNanos);
  }

  /**
   * A snapshot of one step's variables waiting to be written: copied into Java-owned tensors
   * ({@link #copied}) or held in the graph's shadows ({@link #shadows}).
   */
  interface PendingSnapshot {
    /** Writes it as a V2 checkpoint at {@code localPrefix}; on the background thread. */
    void write(String localPrefix, Supplier<SnapshotWriter> writer);

    /** Frees its memory for the next snapshot; idempotent. */
    void release();

    static PendingSnapshot copied(VariableSnapshot snapshot) {
      return new PendingSnapshot() {
        @Override
        public void write(String localPrefix, Supplier<SnapshotWriter> writer) {
          writer.get().write(snapshot, localPrefix);
        }

        @Override
        public void release() {
          snapshot.close();
        }
      };
    }

    /** A capture {@link ShadowSnapshots#capture} just took in {@code session}. */
    static PendingSnapshot shadows(ShadowSnapshots shadows, Session session) {
      return new PendingSnapshot() {
        private final AtomicBoolean released = new AtomicBoolean();

        @Override
        public void write(String localPrefix, Supplier<SnapshotWriter> writer) {
          try (Result fetched = shadows.fetch(session)) {
            List<Tensor> values = new ArrayList<>(fetched.size());
            for (int i = 0; i < fetched.size(); i++) {
              values.add(fetched.get(i));
            }
            writer.get().write(values, localPrefix);
          }
        }

        @Override
        public void release() {
          if (released.compareAndSet(false, true)) {
            shadows.release();
          }
        }
      };
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(AsyncCommitter.class);

  private record Job(Checkpoint checkpoint, PendingSnapshot snapshot, long saveStartedNanos) {}

  private static final Job STOP = new Job(null, null, 0);

  private final BlockingQueue<Job> queue;
  private final List<SavedVariable> variables;
  private final Committer committer;
  private final Path stagingRoot;
  private final String directory;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private int pending;
  private volatile CheckpointException failure;
  private boolean closed;

  AsyncCommitter(
      int capacity, List<SavedVariable> variables, Committer committer, Path stagingRoot, String directory) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.variables = variables;
    this.committer = committer;
    this.stagingRoot = stagingRoot;
    this.directory = directory;
    this.thread = new Thread(this::run, "beamtrain-checkpoint-" + StoragePaths.fileName(directory));
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues a snapshot (taking ownership of it); blocks while the queue is full. {@code
   * saveStartedNanos}: when the {@code save} call began ({@code System.nanoTime()}).
   */
  void submit(Checkpoint checkpoint, PendingSnapshot snapshot, long saveStartedNanos) {
    lock.lock();
    try {
      if (closed) {
        snapshot.release();
        throw new IllegalStateException("checkpoint manager for " + directory + " is closed");
      }
      pending++;
    } finally {
      lock.unlock();
    }
    try {
      throwIfFailed();
      queue.put(new Job(checkpoint, snapshot, saveStartedNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done();
      snapshot.release();
      throw new CheckpointException("interrupted while queueing the save of step " + checkpoint.step(), e);
    } catch (RuntimeException e) {
      done();
      snapshot.release();
      throw e;
    }
  }

  /** Waits until every submitted save is committed (or dropped after a failure), then rethrows. */
  void flush() {
    lock.lock();
    try {
      while (pending > 0) {
        idle.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    throwIfFailed();
  }

  void throwIfFailed() {
    CheckpointException f = failure;
    if (f != null) {
      throw new CheckpointException(f.getMessage(), f);
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lock.unlock();
    }
    try {
      flush();
    } finally {
      queue.add(STOP);
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    // Made on first use: snapshots kept in the graph's shadows are written without it.
    SnapshotWriter[] writer = new SnapshotWriter[1];
    Supplier<SnapshotWriter> lazyWriter = () -> {
      if (writer[0] == null) {
        writer[0] = new SnapshotWriter(variables);
      }
      return writer[0];
    };
    try {
      while (true) {
        Job job = queue.take();
        if (job == STOP) {
          return;
        }
        try {
          if (failure == null) {
            write(lazyWriter, job.checkpoint(), job.snapshot(), job.saveStartedNanos());
          } else {
            LOG.warn("dropping the save of step {}: an earlier background save failed", job.checkpoint().step());
          }
        } finally {
          job.snapshot().release();
          done();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (writer[0] != null) {
        writer[0].close();
      }
    }
  }

  private void write(
      Supplier<SnapshotWriter> writer, Checkpoint checkpoint, PendingSnapshot snapshot, long saveStartedNanos) {
    Path staging = LocalCopy.createTempDirectory(stagingRoot, "beamtrain-save-");
    try {
      String localPrefix = staging.resolve(StoragePaths.fileName(checkpoint.prefix())).toString();
      snapshot.write(localPrefix, writer);
      // Written locally: the next save may take its snapshot while this one uploads and commits.
      snapshot.release();
      committer.commit(checkpoint, staging, localPrefix, saveStartedNanos);
    } catch (RuntimeException | Error e) {
      failure = new CheckpointException(
          "background save of step " + checkpoint.step() + " to " + directory + " failed: " + e.getMessage(), e);
      // The cause travels with the exception that flush/close/save rethrow; log the message only.
      LOG.error(failure.getMessage());
    } finally {
      LocalCopy.deleteRecursively(staging);
    }
  }

  private void done() {
    lock.lock();
    try {
      pending--;
      if (pending == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }
}
