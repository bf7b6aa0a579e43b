package io.beamtrain.pipelines.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Template mains return after {@code run()} when launched as a template, and wait otherwise. */
class TemplateLaunchTest {

  @Test
  void waitsOnlyWhenNeitherDataflowNorATemplateLaunch() {
    PipelineOptions direct = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(TemplateOptions.class);
    assertEquals(DirectRunner.class, direct.getRunner());
    assertTrue(TemplateLaunch.waitsForCompletion(direct));

    PipelineOptions flagged =
        PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--templateLaunch").as(TemplateOptions.class);
    assertFalse(TemplateLaunch.waitsForCompletion(flagged));

    PipelineOptions dataflow = PipelineOptionsFactory.create().as(TemplateOptions.class);
    dataflow.setRunner(DataflowRunner.class);
    assertFalse(TemplateLaunch.waitsForCompletion(dataflow));
  }

  @Test
  void templateLaunchReturnsWhileTheJobMayStillRun(@TempDir Path tmp) {
    String input = PenguinsData.writeCsv(tmp.resolve("in").toString(), StorageConfig.defaults());
    String output = tmp.resolve("out").toString();
    // --blockOnRun=false makes the DirectRunner's run() asynchronous, like a Dataflow submission.
    PreprocessTemplate.Options options = PipelineOptionsFactory.fromArgs(
            "--input=" + input, "--output=" + output, "--label=species",
            "--templateLaunch", "--blockOnRun=false")
        .withValidation()
        .as(PreprocessTemplate.Options.class);

    PipelineResult result = PreprocessTemplate.launch(options);

    // The main returned without waiting: finishing the job is the caller's business now.
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertTrue(Files.exists(Path.of(output, "data", "transform.json")));
  }

  @Test
  void mainOutsideATemplateWaitsForTheJob(@TempDir Path tmp) {
    String input = PenguinsData.writeCsv(tmp.resolve("in").toString(), StorageConfig.defaults());
    String output = tmp.resolve("out").toString();
    PreprocessTemplate.Options options = PipelineOptionsFactory.fromArgs(
            "--input=" + input, "--output=" + output, "--label=species", "--blockOnRun=false")
        .withValidation()
        .as(PreprocessTemplate.Options.class);

    PipelineResult result = PreprocessTemplate.launch(options);

    assertEquals(PipelineResult.State.DONE, result.getState());
    assertTrue(Files.exists(Path.of(output, "data", "transform.json")));
  }
}
