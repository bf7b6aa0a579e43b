package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.TransformSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preprocess of a gs:// glob of Parquet files (the in-process GCS test server): the footer and the
 * row groups are read through Beam's GCS channel, seeking, and no object is fetched whole first.
 */
class PreprocessParquetGcsTest {
  private static final String BUCKET = "parquet-bucket";
  private static GcsTestServer server;

  @BeforeAll
  static void start(@TempDir Path tmp) throws IOException {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
    List<String> lines = PenguinsData.csv().lines().toList();
    List<GenericRecord> records = TypedFiles.fromCsv(lines, TypedFiles.PENGUINS);
    Path first = tmp.resolve("part-0.parquet");
    Path second = tmp.resolve("part-1.parquet");
    TypedFiles.writeParquet(first, TypedFiles.PENGUINS, records.subList(0, 150));
    TypedFiles.writeParquet(second, TypedFiles.PENGUINS, records.subList(150, records.size()));
    server.putObject(BUCKET, "in/part-0.parquet", Files.readAllBytes(first));
    server.putObject(BUCKET, "in/part-1.parquet", Files.readAllBytes(second));
    server.putObject(BUCKET, "in/notes.txt", new byte[] {1});
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void preprocessesAGsParquetGlob() {
    PreprocessPipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--gcsEndpoint=" + server.endpoint(),
                "--gcsNoCredentials",
                "--input=gs://" + BUCKET + "/in/*.parquet",
                "--output=gs://" + BUCKET + "/run",
                "--label=species",
                "--ignore=sex")
            .withValidation()
            .as(PreprocessPipeline.Options.class);
    PreprocessPipeline.run(options);

    StorageConfig config = StorageConfig.forEndpoint(server.endpoint());
    TransformSpec spec = ExampleDataset.open("gs://" + BUCKET + "/run/data", config).spec();
    assertEquals(344, spec.split().trainExamples() + spec.split().evalExamples());
    assertEquals(
        List.of("island", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"),
        spec.features().stream().map(TransformSpec.FeatureSpec::name).toList());
    assertTrue(server.requests().stream().anyMatch(r -> r.path().endsWith("part-1.parquet")
            && "media".equals(r.query().get("alt"))),
        "the objects are read from the server");
  }
}
