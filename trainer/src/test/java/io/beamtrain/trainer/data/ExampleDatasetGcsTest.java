package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.testing.DataDirFixture;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory on gs:// (the in-process GCS server) reads exactly as on local disk. */
class ExampleDatasetGcsTest {
  static GcsTestServer server;
  static StorageConfig gcs;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start().createBucket("data-bucket");
    gcs = server.storageConfig();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void gcsDataDirLoadsTheSameDenseDataAsALocalOne() {
    String remote = "gs://data-bucket/run-1/data";
    DataDirFixture.penguins().write(remote, gcs);
    DataDirFixture.penguins().write(dir);
    assertTrue(server.objectNames("data-bucket").contains("run-1/data/transform.json"));

    ExampleDataset fromGcs = ExampleDataset.open(remote, gcs);
    ExampleDataset local = ExampleDataset.open(dir.toString(), StorageConfig.defaults());
    assertEquals(local.spec(), fromGcs.spec());
    for (Split split : Split.values()) {
      DenseData a = local.load(split);
      DenseData b = fromGcs.load(split);
      assertArrayEquals(a.features(), b.features());
      assertArrayEquals(a.classIds(), b.classIds());
    }
    try (BatchSource streamed = new StreamingBatchSource(fromGcs, Split.TRAIN, 16, 3, 20);
        BatchSource streamedLocally = new StreamingBatchSource(local, Split.TRAIN, 16, 3, 20)) {
      Batch x = streamed.newBatch();
      Batch y = streamedLocally.newBatch();
      for (long step : new long[] {0, 1, 40, 2}) {
        streamed.fill(step, x);
        streamedLocally.fill(step, y);
        assertArrayEquals(y.features(), x.features(), "step " + step);
        assertArrayEquals(y.classIds(), x.classIds(), "step " + step);
      }
    }
  }

  @Test
  void corruptGcsShardIsBadInputNamingTheObject() {
    String remote = "gs://data-bucket/run-2/data";
    DataDirFixture.penguins().uncompressed().write(remote, gcs);
    String name = "run-2/data/eval-00000-of-00001.tfrecord";
    byte[] bytes = server.getObject("data-bucket", name).orElseThrow();
    server.putObject("data-bucket", name, Arrays.copyOf(bytes, bytes.length - 3));
    ExampleDataset dataset = ExampleDataset.open(remote, gcs);
    BadInputException e = assertThrows(BadInputException.class, () -> dataset.load(Split.EVAL));
    assertTrue(e.getMessage().startsWith("gs://data-bucket/" + name + ": record "), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void missingGcsTransformJsonIsBadInput() {
    BadInputException e =
        assertThrows(
            BadInputException.class, () -> ExampleDataset.open("gs://data-bucket/nothing", gcs));
    assertTrue(
        e.getMessage().startsWith("gs://data-bucket/nothing/transform.json: not found"),
        e.getMessage());
  }
}
