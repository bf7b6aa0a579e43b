package io.beamtrain.trainer.data;

/**
 * The training examples of each step, as a pure function of (seed, step): the examples form one
 * endless stream, epoch after epoch, and step {@code s} is positions {@code [s * batchSize, (s +
 * 1) * batchSize)} of it. A trial resumed at step {@code s} therefore sees exactly the batches an
 * uninterrupted one would have seen.
 *
 * <p>Implementations are not thread-safe (one training loop owns one source).
 */
public interface BatchSource extends AutoCloseable {

  int batchSize();

  /** Width of a dense feature row. */
  int width();

  /** A batch buffer that fits this source. */
  Batch newBatch();

  /** Fills {@code batch} with the examples of training step {@code step} (0-based). */
  void fill(long step, Batch batch);

  @Override
  void close();
}
