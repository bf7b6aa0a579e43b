package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreprocessSettingsTest {
  static final StorageConfig LOCAL = StorageConfig.defaults();

  static PreprocessSettings settings(String... flags) {
    PreprocessPipeline.Options options =
        PipelineOptionsFactory.fromArgs(flags).withValidation().as(PreprocessPipeline.Options.class);
    return PreprocessSettings.fromOptions(options, options.getOutput(), LOCAL);
  }

  @Test
  void flagsAndDefaults() {
    PreprocessSettings s =
        settings("--input=in/*.csv", "--output=gs://b/run", "--label=y", "--ignore=a,b");
    assertEquals(List.of("a", "b"), s.ignore());
    assertEquals("gs://b/run/data", s.dataDir());
    assertEquals(0.2, s.evalFraction());
    assertEquals(42, s.splitSeed());
    assertEquals(0.1, s.maxRejectedFraction());
    assertEquals(3, s.trainShards());
    assertEquals(1, s.evalShards());
    assertEquals(InputFormat.AUTO, s.inputFormat());
    assertEquals(VocabularyOptions.defaults(), s.vocabulary());
  }

  @ParameterizedTest(name = "--numShards={0} --evalFraction={1} -> {2} + {3}")
  @CsvSource({"4, 0.2, 3, 1", "10, 0.2, 8, 2", "2, 0.5, 1, 1", "2, 0.0, 1, 1", "20, 0.1, 18, 2"})
  void theShardBudgetFollowsTheFractions(int shards, double fraction, int train, int eval) {
    PreprocessSettings s =
        settings("--input=x.csv", "--output=o", "--label=y", "--numShards=" + shards,
            "--evalFraction=" + fraction);
    assertEquals(train, s.trainShards());
    assertEquals(eval, s.evalShards());
  }

  @Test
  void explicitShardCountsWin() {
    PreprocessSettings s =
        settings("--input=x.csv", "--output=o", "--label=y", "--trainShards=7", "--evalShards=2");
    assertEquals(7, s.trainShards());
    assertEquals(2, s.evalShards());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--evalFraction=1.0|--evalFraction must be in [0, 1), was 1.0",
        "--maxRejectedFraction=-0.1|--maxRejectedFraction must be in [0, 1], was -0.1",
        "--numShards=1|--numShards must be at least 2",
        "--trainShards=-1|--trainShards must be at least 1",
        "--vocabTopK=-5|--vocabTopK must be 0 (no limit) or more, was -5",
        "--vocabMinFrequency=0|--vocabMinFrequency must be at least 1, was 0",
      })
  void badValuesNameTheFlag(String flag, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> settings("--input=x.csv", "--output=o", "--label=y", flag));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void requiredFlagsAreNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> settings("--input=x.csv", "--output=o"));
    assertTrue(e.getMessage().contains("--label"), e.getMessage());
  }

  @Test
  void aQueryTakesThePlaceOfTheInput() {
    assertEquals(BigQueryRead.QUERY_INPUT,
        settings("--query=SELECT 1", "--output=o", "--label=y").input());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> settings("--query=SELECT 1", "--input=x.csv", "--output=o", "--label=y"));
    assertTrue(both.getMessage().startsWith("--input and --query are alternatives"),
        both.getMessage());
    IllegalArgumentException neither = assertThrows(IllegalArgumentException.class,
        () -> settings("--output=o", "--label=y"));
    assertEquals("--input is required", neither.getMessage());
  }
}
