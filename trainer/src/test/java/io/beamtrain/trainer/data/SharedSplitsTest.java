package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedSplitsTest {
  @TempDir Path dir;

  @Test
  void leasesOfOneSplitShareTheCanonicalCopyUntilTheLastCloses() {
    DataDirFixture.penguins().shards(3, 2).write(dir);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    SharedSplits shared = new SharedSplits();
    SharedSplits.Lease a = shared.acquire(dataset, Split.TRAIN);
    // Another ExampleDataset of the same directory and content: the same copy.
    SharedSplits.Lease b =
        shared.acquire(ExampleDataset.open(dir.toString(), StorageConfig.defaults()), Split.TRAIN);
    assertSame(a.data(), b.data());
    assertEquals(1, shared.loads());
    DenseData canonical = dataset.load(Split.TRAIN).inCanonicalOrder();
    assertArrayEquals(canonical.features(), a.data().features());
    assertArrayEquals(canonical.classIds(), a.data().classIds());
    assertEquals(canonical.sizeBytes(), shared.heldBytes());

    a.close();
    a.close(); // idempotent: must not drop b's use
    assertEquals(1, shared.heldCopies());
    b.close();
    assertEquals(0, shared.heldCopies());
  }

  @Test
  void dataPreprocessedAgainIntoTheSameDirectoryIsLoadedAfresh() {
    DataDirFixture.penguins().shards(1, 1).write(dir);
    SharedSplits shared = new SharedSplits();
    try (SharedSplits.Lease before =
        shared.acquire(ExampleDataset.open(dir.toString(), StorageConfig.defaults()), Split.TRAIN)) {
      DataDirFixture.penguins().evalFraction(0.5).shards(1, 1).write(dir);
      ExampleDataset again = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
      try (SharedSplits.Lease after = shared.acquire(again, Split.TRAIN)) {
        assertNotSame(before.data(), after.data());
        assertEquals(again.spec().split().trainExamples(), after.data().n());
        assertEquals(2, shared.loads());
      }
    }
  }

  @Test
  void aFailedLoadFailsItsCallerAndIsNotCached() throws Exception {
    DataDirFixture.penguins().shards(1, 1).write(dir);
    ExampleDataset dataset = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    Path shard = dir.resolve(Split.TRAIN.files(dataset.spec()).get(0));
    Path aside = dir.resolve("aside");
    Files.move(shard, aside);
    SharedSplits shared = new SharedSplits();
    BadInputException e = assertThrows(BadInputException.class, () -> shared.acquire(dataset, Split.TRAIN));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertEquals(0, shared.heldCopies());

    Files.move(aside, shard);
    try (SharedSplits.Lease lease = shared.acquire(dataset, Split.TRAIN)) {
      assertEquals(dataset.spec().split().trainExamples(), lease.data().n());
    }
  }
}
