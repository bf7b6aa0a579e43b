package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.data.TfRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shard layout of {@link ParseAndWrite} and {@link CommitShards} over several input files. */
class ParseAndWriteTest {
  @TempDir Path tmp;

  @Test
  void aShardHoldsEachFilesRowsOfItsIndexModuloTheShardsFilesInNameOrder() throws Exception {
    // b.csv is listed first: the layout goes by file name, not by the order files are found.
    Files.writeString(tmp.resolve("b.csv"), "x,y\n10,10\n11,11\n12,12\n13,13\n");
    Files.writeString(tmp.resolve("a.csv"), "x,y\n0,0\n1,1\n2,2\n3,3\n4,4\n5,5\n");
    Path output = tmp.resolve("out");
    PreprocessSettings settings =
        PreprocessSettings.of(tmp.resolve("*.csv").toString(), output.toString(), "y")
            .withSplit(0.0, 42)
            .withShards(2, 1);
    Preprocess preprocess = Preprocess.from(settings);
    Pipeline p = DirectPipelines.create();
    p.apply(preprocess);
    p.run().waitUntilFinish();

    ExampleEncoder encoder = new ExampleEncoder(preprocess.schema());
    assertRecords(
        encoder, output.resolve("data/train-00000-of-00002.tfrecord.gz"), 0, 2, 4, 10, 12);
    assertRecords(encoder, output.resolve("data/train-00001-of-00002.tfrecord.gz"), 1, 3, 5, 11, 13);
  }

  @Test
  void theMatchIsReshuffledOnlyWhenThePatternMatchesSeveralFiles() throws Exception {
    Files.writeString(tmp.resolve("a.csv"), "x,y\n0,0\n1,1\n");
    assertEquals(0, reshuffles(tmp.resolve("a.csv").toString()));
    Files.writeString(tmp.resolve("b.csv"), "x,y\n2,2\n");
    assertEquals(1, reshuffles(tmp.resolve("*.csv").toString()));
  }

  @Test
  void fileInputNeedsNoDefaultStatisticsNorACombineForTheEvalView() throws Exception {
    Files.writeString(tmp.resolve("a.csv"), "x,y\n0,0\n1,1\n");
    List<String> names = transformNames(tmp.resolve("a.csv").toString());
    assertEquals(
        List.of(),
        names.stream()
            .filter(name -> name.contains("ProduceDefault") || name.contains("GloballyAsSingletonView"))
            .toList());
  }

  /** Reshuffle composites in the file match of the preprocess pipeline of {@code input}. */
  private int reshuffles(String input) {
    PreprocessSettings settings = PreprocessSettings.of(input, tmp.resolve("out").toString(), "y");
    Pipeline p = DirectPipelines.create();
    p.apply(Preprocess.from(settings));
    int[] count = {0};
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(
              org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
            if (node.getTransform() instanceof org.apache.beam.sdk.transforms.Reshuffle
                && node.getFullName().contains("/MatchFiles/")) {
              count[0]++;
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }
        });
    return count[0];
  }

  /** Full names of every transform of the preprocess pipeline of {@code input}, as built. */
  private List<String> transformNames(String input) {
    PreprocessSettings settings = PreprocessSettings.of(input, tmp.resolve("out").toString(), "y");
    Pipeline p = DirectPipelines.create();
    p.apply(Preprocess.from(settings));
    List<String> names = new ArrayList<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(
              org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
            names.add(node.getFullName());
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(
              org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });
    return names;
  }

  private static void assertRecords(ExampleEncoder encoder, Path shard, int... values) {
    List<byte[]> records = TfRecords.readAll(shard.toString(), StorageConfig.defaults());
    List<byte[]> expected = new ArrayList<>();
    for (int value : values) {
      expected.add(encoder.encode(ParsedRow.of(Integer.toString(value), Integer.toString(value))));
    }
    assertEquals(expected.size(), records.size(), shard + ": record count");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), records.get(i), shard + ": record " + i);
    }
  }
}
