package io.beamtrain.pipelines.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.trainer.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LATEST moves by compare-and-set: of several concurrent promotions from one champion, one wins. */
class ModelRegistryTest {

  static void exactlyOneConcurrentPromotionWins(ModelRegistry registry, StorageConfig config) throws Exception {
    assertTrue(registry.champion().isEmpty());
    assertTrue(registry.advanceLatest(StorageObject.NO_GENERATION, "v0001-first"));
    long generation = Storages.forPath(registry.latestPath(), config)
        .readVersioned(registry.latestPath()).orElseThrow().generation();
    assertFalse(registry.advanceLatest(StorageObject.NO_GENERATION, "v0001-second"),
        "no LATEST expected, but there is one");

    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String version = "v0002-writer" + i;
        Callable<Boolean> promote = () -> {
          start.await();
          return registry.advanceLatest(generation, version);
        };
        results.add(pool.submit(promote));
      }
      start.countDown();
      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        if (results.get(i).get()) {
          winners.add(i);
        }
      }
      assertEquals(1, winners.size(), "winners: " + winners);
      String latest = new String(Storages.forPath(registry.latestPath(), config)
          .readBytes(registry.latestPath()), StandardCharsets.UTF_8).trim();
      assertEquals("v0002-writer" + winners.get(0), latest);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentPromotionsOnLocalDisk(@TempDir Path tmp) throws Exception {
    StorageConfig config = StorageConfig.defaults();
    exactlyOneConcurrentPromotionWins(new ModelRegistry(tmp.resolve("models").toString(), config), config);
  }

  @Test
  void concurrentPromotionsOnGcs() throws Exception {
    try (GcsTestServer server = GcsTestServer.start()) {
      server.createBucket("registry");
      StorageConfig config = server.storageConfig();
      exactlyOneConcurrentPromotionWins(new ModelRegistry("gs://registry/models", config), config);
    }
  }

  @Test
  void latestThatNamesNoVersionIdIsBadInput(@TempDir Path tmp) {
    StorageConfig config = StorageConfig.defaults();
    ModelRegistry registry = new ModelRegistry(tmp.toString(), config);
    Storages.forPath(registry.latestPath(), config)
        .writeBytes(registry.latestPath(), "../elsewhere\n".getBytes(StandardCharsets.UTF_8));
    BadInputException e = assertThrows(BadInputException.class, registry::champion);
    assertTrue(e.getMessage().contains("LATEST: does not name a version (was '../elsewhere')"), e.getMessage());
  }
}
