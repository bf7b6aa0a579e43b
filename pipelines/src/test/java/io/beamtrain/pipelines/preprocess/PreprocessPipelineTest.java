package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.data.DenseData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessPipelineTest {
  @TempDir Path tmp;

  @Test
  void penguins() throws Exception {
    Path csv = tmp.resolve("penguins.csv");
    try (var in = getClass().getResourceAsStream("/io/beamtrain/pipelines/demo/penguins.csv")) {
      Files.copy(in, csv);
    }
    PreprocessPipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--input=" + csv, "--output=" + tmp.resolve("out"), "--label=species")
            .withValidation()
            .as(PreprocessPipeline.Options.class);
    PreprocessPipeline.run(options);
    ExampleDataset data =
        ExampleDataset.open(tmp.resolve("out/data").toString(), StorageConfig.defaults());
    DenseData train = data.load(Split.TRAIN);
    System.out.println(Files.readString(tmp.resolve("out/data/transform.json")));
    System.out.println(Files.readString(tmp.resolve("out/data/stats.json")));
    try (var files = Files.walk(tmp.resolve("out"))) {
      files.forEach(System.out::println);
    }
    assertEquals(data.spec().split().trainExamples(), train.n());
  }
}
