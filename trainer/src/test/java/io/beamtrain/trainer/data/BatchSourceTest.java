package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSourceTest {
  @TempDir Path dir;
  ExampleDataset dataset;
  DenseData train;
  /** Row content -> row index, to identify which rows a batch holds. */
  Map<String, Integer> rowIndex = new HashMap<>();

  @BeforeEach
  void writeData() {
    DataDirFixture.syntheticRegression(500, 2, 11).evalFraction(0.2).shards(3, 1).write(dir);
    dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    train = dataset.load(Split.TRAIN);
    for (int i = 0; i < train.n(); i++) {
      rowIndex.put(key(train.features(), i, train.width(), train.targets()[i]), i);
    }
    assertEquals(train.n(), rowIndex.size(), "synthetic rows should be distinct");
  }

  @Test
  void inMemoryEpochVisitsEveryRowOnceAndEachEpochDiffers() {
    int batchSize = 7;
    long steps = (long) train.n() * 3 / batchSize;
    int[] rows = rowsOf(new InMemoryBatchSource(train, batchSize, 42), 0, steps);
    for (int epoch = 0; epoch < 2; epoch++) {
      int[] sorted = Arrays.copyOfRange(rows, epoch * train.n(), (epoch + 1) * train.n());
      int[] order = sorted.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < train.n(); i++) {
        assertEquals(i, sorted[i], "epoch " + epoch + " must hold every row once");
      }
      assertFalse(isIdentity(order), "epoch " + epoch + " is not shuffled");
    }
    assertFalse(
        Arrays.equals(
            Arrays.copyOfRange(rows, 0, train.n()),
            Arrays.copyOfRange(rows, train.n(), 2 * train.n())),
        "epochs must be permuted differently");
  }

  @Test
  void inMemoryBatchOfAStepDependsOnlyOnSeedAndStep() {
    InMemoryBatchSource a = new InMemoryBatchSource(train, 16, 42);
    InMemoryBatchSource b = new InMemoryBatchSource(train, 16, 42);
    int[] sequential = rowsOf(a, 0, 100);
    // b jumps straight to step 60 (a resumed trial), then back to 3.
    assertArrayEquals(Arrays.copyOfRange(sequential, 60 * 16, 61 * 16), rowsOf(b, 60, 61));
    assertArrayEquals(Arrays.copyOfRange(sequential, 3 * 16, 4 * 16), rowsOf(b, 3, 4));
    int[] otherSeed = rowsOf(new InMemoryBatchSource(train, 16, 43), 0, 100);
    assertFalse(Arrays.equals(sequential, otherSeed));
  }

  @Test
  void streamingIsDeterministicAndSeeksBothWays() {
    int[] sequential = rowsOf(streaming(9, 13, 100), 0, 150);
    StreamingBatchSource jumpy = streaming(9, 13, 100);
    assertArrayEquals(Arrays.copyOfRange(sequential, 120 * 9, 121 * 9), rowsOf(jumpy, 120, 121));
    assertArrayEquals(Arrays.copyOfRange(sequential, 5 * 9, 6 * 9), rowsOf(jumpy, 5, 6));
    assertFalse(Arrays.equals(sequential, rowsOf(streaming(9, 14, 100), 0, 150)));
  }

  @Test
  void streamingWithABufferOfOneReadsEachEpochInFullInShardOrder() {
    int n = train.n();
    int[] rows = rowsOf(streaming(1, 5, 1), 0, 2L * n);
    for (int epoch = 0; epoch < 2; epoch++) {
      int[] sorted = Arrays.copyOfRange(rows, epoch * n, (epoch + 1) * n);
      Arrays.sort(sorted);
      for (int i = 0; i < n; i++) {
        assertEquals(i, sorted[i], "epoch " + epoch + " must hold every row once");
      }
    }
  }

  @Test
  void streamingShuffleKeepsEpochsBalanced() {
    int n = train.n();
    int buffer = 50;
    int epochs = 4;
    int[] rows = rowsOf(streaming(10, 3, buffer), 0, (long) n * epochs / 10);
    int[] counts = new int[n];
    for (int r : rows) {
      counts[r]++;
    }
    // A row enters the buffer once per epoch, so it can be emitted at most once per epoch plus
    // the buffer's lag; it is not emitted in strict input order.
    for (int i = 0; i < n; i++) {
      assertTrue(counts[i] <= epochs + 1, "row " + i + " emitted " + counts[i] + " times");
    }
    assertFalse(isIdentity(rows), "a shuffle buffer must change the order");
    int[] unshuffled = rowsOf(streaming(10, 3, 1), 0, (long) n * epochs / 10);
    assertFalse(Arrays.equals(unshuffled, rows));
  }

  private StreamingBatchSource streaming(int batchSize, long seed, int buffer) {
    return new StreamingBatchSource(dataset, Split.TRAIN, batchSize, seed, buffer);
  }

  /** Fills steps [from, to) and returns the row index of every example, in order. */
  private int[] rowsOf(BatchSource source, long from, long to) {
    Batch batch = source.newBatch();
    int[] rows = new int[(int) ((to - from) * source.batchSize())];
    int at = 0;
    for (long step = from; step < to; step++) {
      source.fill(step, batch);
      for (int j = 0; j < batch.size(); j++) {
        Integer row = rowIndex.get(key(batch.features(), j, batch.width(), batch.targets()[j]));
        assertTrue(row != null, "batch row is not a row of the split");
        rows[at++] = row;
      }
    }
    return rows;
  }

  private static String key(float[] features, int row, int width, float target) {
    return Arrays.toString(Arrays.copyOfRange(features, row * width, (row + 1) * width)) + target;
  }

  private static boolean isIdentity(int[] order) {
    for (int i = 1; i < order.length; i++) {
      if (order[i] != order[i - 1] + 1) {
        return false;
      }
    }
    return true;
  }
}
