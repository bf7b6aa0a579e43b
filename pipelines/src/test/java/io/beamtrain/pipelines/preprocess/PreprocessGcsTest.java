package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.commands.PreprocessPipelineTest;
import io.beamtrain.pipelines.options.StorageSetup;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TransformSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Preprocess with input, schema and output on gs:// (the in-process GCS test server). */
class PreprocessGcsTest {
  private static final String BUCKET = "preprocess-bucket";
  private static GcsTestServer server;

  @BeforeAll
  static void start() throws IOException {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
    try (InputStream in = PreprocessGcsTest.class.getResourceAsStream(PreprocessPipelineTest.PENGUINS)) {
      byte[] csv = in.readAllBytes();
      server.putObject(BUCKET, "in/penguins-1.csv", csv);
      server.putObject(BUCKET, "in/penguins-2.csv", csv);
    }
    server.putObject(
        BUCKET,
        "config/schema.yaml",
        ("label: species\ncolumns:\n  - {name: species, type: CATEGORICAL}\n"
                + "  - {name: island, type: CATEGORICAL}\n  - {name: body_mass_g, type: NUMERIC}\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void preprocessesFromGsToGs() {
    // What a killed run leaves (Beam's bundle files, UUID names) is removed; other objects stay.
    String leftover = "run/data/.temp-beam/3f2c9a4e-0b7d-4c1e-9a55-2e8f6d1b7c90";
    String rejectedLeftover = "run/data/rejected/.temp-beam/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    String notBeams = "run/data/.temp-beam/notes.txt";
    for (String name : List.of(leftover, rejectedLeftover, notBeams)) {
      server.putObject(BUCKET, name, new byte[] {1, 2, 3});
    }
    PreprocessPipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--gcsEndpoint=" + server.endpoint(),
                "--gcsNoCredentials",
                "--input=gs://" + BUCKET + "/in/*.csv",
                "--output=gs://" + BUCKET + "/run",
                "--label=species",
                "--schema=gs://" + BUCKET + "/config/schema.yaml")
            .withValidation()
            .as(PreprocessPipeline.Options.class);
    PreprocessPipeline.run(options);

    List<String> names = server.objectNames(BUCKET, "run/");
    assertTrue(names.contains("run/data/transform.json"), names.toString());
    assertTrue(names.contains("run/data/stats.json"), names.toString());
    assertTrue(names.contains("run/data/schema.json"), names.toString());
    assertTrue(
        names.stream().filter(n -> !n.equals(notBeams)).noneMatch(n -> n.contains(".temp")),
        "no temporary objects left: " + names);
    assertTrue(names.contains(notBeams), names.toString());

    StorageConfig config = StorageConfig.forEndpoint(server.endpoint());
    ExampleDataset data = ExampleDataset.open("gs://" + BUCKET + "/run/data", config);
    TransformSpec spec = data.spec();
    // Both files hold the same 344 rows; identical rows share a fingerprint, so the same split.
    assertEquals(688, spec.split().trainExamples() + spec.split().evalExamples());
    assertEquals(0, spec.split().evalExamples() % 2);
    assertEquals(
        List.of("island", "body_mass_g"),
        spec.features().stream().map(TransformSpec.FeatureSpec::name).toList());
    assertEquals(spec.split().trainExamples(), data.load(Split.TRAIN).n());
  }
}
