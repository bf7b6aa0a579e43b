package io.beamtrain.pipelines.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.retrain.SliceFiles;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * {@code retrain} takes the preprocessing flags of {@code preprocess} (one shared interface, so
 * the two cannot drift apart), and every flag that changes the examples changes the run id, so a
 * re-run with other preprocessing is a new run rather than "already done".
 */
class RetrainOptionsTest {
  static final SliceFiles SLICE = new SliceFiles("gs://b/slices/1/*.csv", List.of("gs://b/slices/1/a.csv"));

  static RetrainPipeline.Options options(String... more) {
    String[] base = {"--input=gs://b/slices/1/*.csv", "--models=gs://b/models", "--label=species"};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(RetrainPipeline.Options.class);
  }

  @Test
  void preprocessingFlagsReachTheSettings() {
    RetrainPipeline.Options options = options("--numShards=6", "--vocabTopK=3", "--ignore=island,sex",
        "--schema=gs://b/schema.json", "--evalFraction=0.25");
    PreprocessSettings settings = PreprocessSettings.fromOptions(
        options, "/tmp/run", StorageConfig.defaults());
    assertEquals("/tmp/run", settings.output());
    assertEquals(List.of("island", "sex"), settings.ignore());
    assertEquals("gs://b/schema.json", settings.schemaFile());
    assertEquals(3, settings.vocabulary().topK());
    assertEquals(6, settings.trainShards() + settings.evalShards());
    assertEquals(0.25, settings.evalFraction());
  }

  @Test
  void everyFlagThatChangesTheExamplesChangesTheRunId() {
    String base = RetrainPipeline.runId(SLICE, options(), "study");
    assertEquals(base, RetrainPipeline.runId(SLICE, options(), "study"));
    for (String flag : List.of("--schema=gs://b/s.json", "--numShards=8", "--trainShards=3",
        "--evalShards=2", "--vocabMinFrequency=5", "--vocabTopK=10", "--ignore=sex",
        "--evalFraction=0.3", "--splitSeed=7")) {
      assertNotEquals(base, RetrainPipeline.runId(SLICE, options(flag), "study"), flag);
    }
    assertNotEquals(base, RetrainPipeline.runId(SLICE, options(), "another study"));
  }
}
