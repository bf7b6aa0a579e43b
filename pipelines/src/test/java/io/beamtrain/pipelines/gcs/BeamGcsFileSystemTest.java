package io.beamtrain.pipelines.gcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.checkpointing.testing.RecordedRequest;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.options.StorageSetup;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Beam's own GCS file system (GcsUtil over the apiary client and gcsio: resumable uploads, batch
 * get/rewrite/delete, listing) against the in-process test server, in real DirectRunner pipelines,
 * configured only through {@link StorageOptions}. This is what the gs:// end-to-end pipeline tests
 * stand on.
 */
class BeamGcsFileSystemTest {
  private static final String BUCKET = "beam-bucket";
  private static GcsTestServer server;
  private static StorageOptions options;
  private static StorageConfig storageConfig;

  @BeforeAll
  static void start() {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
    options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner", "--gcsEndpoint=" + server.endpoint(), "--gcsNoCredentials")
            .as(StorageOptions.class);
    storageConfig = StorageSetup.apply(options);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void textAndTfRecordFilesRoundTripThroughGsInPipelines() {
    List<String> lines = IntStream.range(0, 500).mapToObj(i -> "line-" + i).toList();
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      records.add(("record-" + i + "-" + "x".repeat(i)).getBytes(StandardCharsets.UTF_8));
    }
    server.clearRequests();

    Pipeline write = Pipeline.create(options);
    write
        .apply("Lines", Create.of(lines))
        .apply(
            TextIO.write()
                .to("gs://" + BUCKET + "/out/text/part")
                .withSuffix(".txt")
                .withNumShards(3));
    write
        .apply("Records", Create.of(records).withCoder(ByteArrayCoder.of()))
        .apply(
            TFRecordIO.write()
                .to("gs://" + BUCKET + "/out/tfr/data")
                .withSuffix(".tfrecord")
                .withNumShards(2));
    assertEquals(PipelineResult.State.DONE, write.run().waitUntilFinish());

    List<String> names = server.objectNames(BUCKET, "out/");
    assertEquals(
        List.of(
            "out/text/part-00000-of-00003.txt",
            "out/text/part-00001-of-00003.txt",
            "out/text/part-00002-of-00003.txt",
            "out/tfr/data-00000-of-00002.tfrecord",
            "out/tfr/data-00001-of-00002.tfrecord"),
        names.stream().sorted().toList(),
        "final shards only, temp files cleaned up: " + names);
    // Beam finalizes by copying temp files into place and deleting them, in batch requests.
    assertFalse(server.requests(r -> r.batchPart() && r.path().contains("/rewriteTo/")).isEmpty());
    assertFalse(server.requests(r -> r.batchPart() && r.method().equals("DELETE")).isEmpty());
    assertFalse(server.requests(RecordedRequest::isResumableStart).isEmpty());

    Pipeline read = Pipeline.create(options);
    PCollection<String> readLines =
        read.apply(TextIO.read().from("gs://" + BUCKET + "/out/text/part-*"));
    PAssert.that(readLines).containsInAnyOrder(lines);
    PCollection<String> readRecords =
        read.apply(TFRecordIO.read().from("gs://" + BUCKET + "/out/tfr/*.tfrecord"))
            .apply(
                org.apache.beam.sdk.transforms.MapElements.into(TypeDescriptors.strings())
                    .via(b -> new String(b, StandardCharsets.UTF_8)));
    PAssert.that(readRecords)
        .containsInAnyOrder(
            records.stream()
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .collect(Collectors.toList()));
    assertEquals(PipelineResult.State.DONE, read.run().waitUntilFinish());
  }

  @Test
  void fileSystemsMatchCopyRenameAndDeleteOnGs() throws IOException {
    for (int i = 0; i < 5; i++) {
      server.putObject(
          BUCKET, "fs/in/f" + i + ".txt", ("content " + i).getBytes(StandardCharsets.UTF_8));
    }
    MatchResult match = FileSystems.match("gs://" + BUCKET + "/fs/in/*.txt");
    assertEquals(MatchResult.Status.OK, match.status());
    assertEquals(5, match.metadata().size());
    assertEquals(9, match.metadata().get(0).sizeBytes());

    MatchResult missing = FileSystems.match("gs://" + BUCKET + "/fs/in/none.txt");
    assertEquals(MatchResult.Status.NOT_FOUND, missing.status());

    List<ResourceId> sources = new ArrayList<>();
    List<ResourceId> copies = new ArrayList<>();
    List<ResourceId> moved = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sources.add(FileSystems.matchNewResource("gs://" + BUCKET + "/fs/in/f" + i + ".txt", false));
      copies.add(FileSystems.matchNewResource("gs://" + BUCKET + "/fs/copy/f" + i + ".txt", false));
      moved.add(FileSystems.matchNewResource("gs://" + BUCKET + "/fs/moved/f" + i + ".txt", false));
    }
    FileSystems.copy(sources, copies);
    FileSystems.rename(copies, moved);
    assertTrue(server.objectNames(BUCKET, "fs/copy/").isEmpty());
    assertEquals(5, server.objectNames(BUCKET, "fs/moved/").size());
    assertEquals("content 3", text(server.getObject(BUCKET, "fs/moved/f3.txt").orElseThrow()));

    FileSystems.delete(moved, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    assertTrue(server.objectNames(BUCKET, "fs/moved/").isEmpty());
  }

  @Test
  void beamAndBeamtrainStorageSeeTheSameObjects() throws IOException {
    Storage storage = Storages.forPath("gs://" + BUCKET + "/x", storageConfig);
    storage.writeBytes(
        "gs://" + BUCKET + "/shared/from-beamtrain", "ours".getBytes(StandardCharsets.UTF_8));
    ResourceId beamFile =
        FileSystems.matchNewResource("gs://" + BUCKET + "/shared/from-beam", false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(beamFile, "text/plain"))) {
      out.write("theirs".getBytes(StandardCharsets.UTF_8));
    }
    assertArrayEquals(
        "theirs".getBytes(StandardCharsets.UTF_8),
        storage.readBytes("gs://" + BUCKET + "/shared/from-beam"));
    try (var in =
        Channels.newInputStream(
            FileSystems.open(
                FileSystems.matchNewResource(
                    "gs://" + BUCKET + "/shared/from-beamtrain", false)))) {
      assertEquals("ours", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void badStorageFlagsNameTheFlag() {
    StorageOptions bad =
        PipelineOptionsFactory.fromArgs("--gcsEndpoint=ftp://nowhere", "--gcsNoCredentials")
            .as(StorageOptions.class);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> StorageSetup.storageConfig(bad));
    assertTrue(e.getMessage().contains("--gcsEndpoint"), e.getMessage());
    StorageOptions badTimeout =
        PipelineOptionsFactory.fromArgs("--gcsRetryTimeoutSeconds=0").as(StorageOptions.class);
    IllegalArgumentException e2 =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> StorageSetup.storageConfig(badTimeout));
    assertTrue(e2.getMessage().contains("--gcsRetryTimeoutSeconds"), e2.getMessage());
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
