package io.beamtrain.pipelines.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.UsageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Which files a predictions prefix owns, and claiming it, on local disk and on gs://. */
class PredictionsPrefixTest {
  private static final Map<String, Object> RUN = Map.of("model", "m", "input", "i");

  static GcsTestServer server;
  @TempDir static Path tmp;

  @BeforeAll
  static void start() {
    server = GcsTestServer.start().createBucket("preds");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A fresh directory on each store, with the config to reach it. */
  record Place(String dir, StorageConfig config) {
    @Override
    public String toString() {
      return StoragePaths.isGcs(dir) ? "gs" : "local";
    }
  }

  static Stream<Place> places() {
    return Stream.of(
        new Place(tmp.resolve("local").toString(), StorageConfig.defaults()),
        new Place("gs://preds/run", server.storageConfig()));
  }

  @ParameterizedTest
  @MethodSource("places")
  void ownsItsShardsRejectedShardsAndRecordButNotAnotherPrefixThatStartsTheSame(Place place) {
    String dir = StoragePaths.join(place.dir(), "owns");
    Storage storage = Storages.forPath(dir, place.config());
    List<String> mine = List.of("preds-00000-of-00002.jsonl", "preds-00001-of-00002.jsonl",
        "preds-rejected/rejected-00000-of-00001.jsonl", "preds-run.json");
    List<String> others = List.of("preds-old-00000-of-00001.jsonl", "preds-old-run.json",
        "preds2-00000-of-00001.jsonl", "preds-00000-of-00001.jsonl.bak", "preds-rejected-00000-of-00001.jsonl",
        "preds-rejected/notes.txt", "preds.jsonl");
    for (String name : Stream.concat(mine.stream(), others.stream()).toList()) {
      storage.writeBytes(StoragePaths.join(dir, name), "{}".getBytes(StandardCharsets.UTF_8));
    }
    PredictionsPrefix prefix = PredictionsPrefix.of(StoragePaths.join(dir, "preds"), place.config());
    List<String> names = prefix.files().stream().map(p -> p.substring(p.lastIndexOf("/owns/") + 6)).toList();
    assertEquals(mine, names);

    PredictionsPrefix old = PredictionsPrefix.of(StoragePaths.join(dir, "preds-old"), place.config());
    assertEquals(2, old.files().size(), old.files().toString());
  }

  @ParameterizedTest
  @MethodSource("places")
  void aClaimedPrefixIsRefusedUntilAFailedRunWithoutOutputGivesItBack(Place place) {
    String dir = StoragePaths.join(place.dir(), "claims");
    Storage storage = Storages.forPath(dir, place.config());
    storage.writeBytes(StoragePaths.join(dir, "preds-old-00000-of-00001.jsonl"), new byte[] {'x'});
    PredictionsPrefix prefix = PredictionsPrefix.of(StoragePaths.join(dir, "preds"), place.config());
    prefix.claim(RUN);

    UsageException refused = assertThrows(UsageException.class,
        () -> PredictionsPrefix.of(StoragePaths.join(dir, "preds"), place.config()).claim(RUN));
    assertTrue(refused.getMessage().contains("preds-run.json"), refused.getMessage());

    prefix.releaseAfterFailure(RUN);
    assertFalse(storage.exists(prefix.runRecord()), "no output: the prefix is given back");
    prefix.claim(RUN);
    storage.writeBytes(StoragePaths.join(dir, "preds-00000-of-00001.jsonl"), new byte[] {'x'});
    prefix.releaseAfterFailure(RUN);
    String record = new String(storage.readBytes(prefix.runRecord()), StandardCharsets.UTF_8);
    assertTrue(record.contains("\"FAILED\""), "partial output keeps the prefix: " + record);
    assertThrows(UsageException.class, () -> prefix.claim(RUN));
  }

  @ParameterizedTest
  @MethodSource("places")
  void aPrefixEndingInASlashNamesNoFile(Place place) {
    UsageException e = assertThrows(UsageException.class,
        () -> PredictionsPrefix.of(place.dir() + "/", place.config()));
    assertTrue(e.getMessage().startsWith("--predictions=" + place.dir() + "/: give a file name prefix"),
        e.getMessage());
  }
}
