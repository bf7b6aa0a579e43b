package io.beamtrain.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batches streamed from a split's shards, for splits too large to hold in memory. The input is an
 * endless sequence of epochs; each epoch reads every shard once, in a shard order derived from
 * (seed, epoch). Rows pass through a shuffle buffer of {@code bufferRows} rows (default {@value
 * #DEFAULT_SHUFFLE_BUFFER}) whose picks come from a generator seeded by the seed -- the behaviour
 * of TensorFlow's {@code dataset.repeat().shuffle(buffer, seed)}.
 *
 * <p>The example stream is fixed by the seed, so step {@code s} always gets the same batch. Steps
 * are cheapest in increasing order; asking for a step behind the current position replays the
 * stream from the start, and jumping ahead (resuming a trial) reads and drops the examples in
 * between.
 *
 * <p>Not thread-safe. Holds one open shard at a time; close it when done.
 */
public final class StreamingBatchSource implements BatchSource {
  /** Rows in the shuffle buffer unless told otherwise. */
  public static final int DEFAULT_SHUFFLE_BUFFER = 10_000;

  private final ExampleDataset dataset;
  private final Split split;
  private final int batchSize;
  private final long seed;
  private final int bufferRows;
  private final int width;
  private final boolean classification;
  private final List<String> files;
  private final float[] bufferFeatures;
  private final int[] bufferClassIds;
  private final float[] bufferTargets;

  private SplitReader reader;
  private long epoch;
  private long rowsThisEpoch;
  private int buffered;
  private SplittableRandom picks;
  private long produced;

  public StreamingBatchSource(
      ExampleDataset dataset, Split split, int batchSize, long seed, int bufferRows) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
    }
    if (bufferRows <= 0) {
      throw new IllegalArgumentException("bufferRows must be positive, was " + bufferRows);
    }
    this.dataset = dataset;
    this.split = split;
    this.batchSize = batchSize;
    this.seed = seed;
    this.bufferRows = bufferRows;
    this.width = dataset.encoder().width();
    this.classification = dataset.isClassification();
    this.files = dataset.files(split);
    if (files.isEmpty()) {
      throw dataset.emptySplit(split);
    }
    this.bufferFeatures = new float[Math.multiplyExact(bufferRows, width)];
    this.bufferClassIds = classification ? new int[bufferRows] : null;
    this.bufferTargets = classification ? null : new float[bufferRows];
    restart();
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public Batch newBatch() {
    return new Batch(batchSize, width, classification);
  }

  @Override
  public void fill(long step, Batch batch) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, was " + step);
    }
    long position = Math.multiplyExact(step, (long) batchSize);
    if (position < produced) {
      restart();
    }
    while (produced < position) {
      emit(null, 0);
    }
    for (int j = 0; j < batchSize; j++) {
      emit(batch, j);
    }
    batch.setSize(batchSize);
  }

  /** Takes one row out of the shuffle buffer (into {@code batch} row {@code j} unless null). */
  private void emit(Batch batch, int j) {
    int slot = picks.nextInt(buffered);
    if (batch != null) {
      System.arraycopy(bufferFeatures, slot * width, batch.features(), j * width, width);
      if (classification) {
        batch.classIds()[j] = bufferClassIds[slot];
      } else {
        batch.targets()[j] = bufferTargets[slot];
      }
    }
    readInto(slot);
    produced++;
  }

  private void restart() {
    closeReader();
    epoch = 0;
    produced = 0;
    picks = new SplittableRandom(Seeds.mix(seed, Seeds.SHARD_PICK_STREAM));
    openEpoch();
    buffered = 0;
    while (buffered < bufferRows) {
      readInto(buffered);
      buffered++;
    }
  }

  /** Reads the next input row (moving on to the next epoch at the end of one) into a slot. */
  private void readInto(int slot) {
    while (!reader.next()) {
      if (rowsThisEpoch == 0) {
        throw dataset.emptySplit(split);
      }
      closeReader();
      epoch++;
      openEpoch();
    }
    rowsThisEpoch++;
    RawRow row = reader.row();
    dataset.encoder().encode(row, bufferFeatures, slot * width);
    if (classification) {
      bufferClassIds[slot] = dataset.encoder().classIndex(row, reader.where());
    } else {
      bufferTargets[slot] = row.labelValue();
    }
  }

  private void openEpoch() {
    int[] order = InMemoryBatchSource.permutation(files.size(), Seeds.mix(seed, Seeds.FILE_ORDER_STREAM), epoch);
    List<String> ordered = new ArrayList<>(files.size());
    for (int i : order) {
      ordered.add(files.get(i));
    }
    reader = new SplitReader(ordered, dataset.examples(), dataset.storageConfig());
    rowsThisEpoch = 0;
  }

  private void closeReader() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  @Override
  public void close() {
    closeReader();
  }
}
