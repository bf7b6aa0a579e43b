package io.beamtrain.trainer.data;

import java.util.SplittableRandom;

/**
 * Batches drawn from a split held in memory: every epoch is a fresh permutation of the rows,
 * derived only from (seed, epoch), so any step's batch is computed directly -- O(batch) plus one
 * O(n) permutation when the step starts a new epoch. A batch that crosses an epoch boundary takes
 * the end of one permutation and the start of the next, as {@code dataset.shuffle().repeat()}
 * with a full-size buffer does in TensorFlow.
 */
public final class InMemoryBatchSource implements BatchSource {
  private final DenseData data;
  private final int batchSize;
  private final long seed;
  private final SharedSplits.Lease lease;
  private long cachedEpoch = -1;
  private int[] cachedPermutation;

  public InMemoryBatchSource(DenseData data, int batchSize, long seed) {
    this(data, null, batchSize, seed);
  }

  /** Batches from a shared split; {@link #close} releases {@code lease}. */
  public InMemoryBatchSource(SharedSplits.Lease lease, int batchSize, long seed) {
    this(lease.data(), lease, batchSize, seed);
  }

  private InMemoryBatchSource(DenseData data, SharedSplits.Lease lease, int batchSize, long seed) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
    }
    if (data.n() == 0) {
      throw new IllegalArgumentException("no rows to draw batches from");
    }
    this.data = data;
    this.batchSize = batchSize;
    this.seed = seed;
    this.lease = lease;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int width() {
    return data.width();
  }

  @Override
  public Batch newBatch() {
    return new Batch(batchSize, data.width(), data.isClassification());
  }

  @Override
  public void fill(long step, Batch batch) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, was " + step);
    }
    int n = data.n();
    int width = data.width();
    long position = Math.multiplyExact(step, (long) batchSize);
    float[] features = batch.features();
    for (int j = 0; j < batchSize; j++, position++) {
      int row = permutation(position / n)[(int) (position % n)];
      System.arraycopy(data.features(), row * width, features, j * width, width);
      if (data.isClassification()) {
        batch.classIds()[j] = data.classIds()[row];
      } else {
        batch.targets()[j] = data.targets()[row];
      }
    }
    batch.setSize(batchSize);
  }

  /** The row order of {@code epoch}: a Fisher-Yates shuffle seeded from (seed, epoch). */
  public static int[] permutation(int n, long seed, long epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(Seeds.mix(seed, epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private int[] permutation(long epoch) {
    if (epoch != cachedEpoch) {
      cachedPermutation = permutation(data.n(), seed, epoch);
      cachedEpoch = epoch;
    }
    return cachedPermutation;
  }

  @Override
  public void close() {
    cachedPermutation = null;
    if (lease != null) {
      lease.close();
    }
  }
}
