package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep is a pure function of data, study and seed (DESIGN.md, Determinism): the same small
 * sweep on the DirectRunner and on the embedded FlinkRunner writes the same results.jsonl (up to
 * the wall-clock {@code elapsed_seconds}) and picks the same winner.
 */
class FlinkDeterminismTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void directRunnerAndFlinkRunnerGiveTheSameResults() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    OutputLayout direct = new OutputLayout(tmp.resolve("direct").toString());
    OutputLayout flink = new OutputLayout(tmp.resolve("flink").toString());
    PenguinsData.preprocess(input, direct.root(), StorageConfig.defaults());
    copyTree(Path.of(direct.data()), Path.of(flink.data()));
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, """
        metric: {name: eval_loss}
        algorithm: RANDOM
        maxTrials: 3
        seed: 5
        trainSteps: 120
        evalEverySteps: 40
        checkpointEverySteps: 60
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.005, max: 0.05, scale: LOG}
          - {name: dropout, type: DOUBLE, min: 0.0, max: 0.3}
        fixed: {model: dnn, hidden_units: 16, num_layers: 2, batch_size: 16}
        """);

    SweepPipeline.run(options(direct, study, "--runner=DirectRunner", "--targetParallelism=3"));
    SweepPipeline.run(options(flink, study, "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));

    List<String> onDirect = SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(direct.resultsJsonl())));
    List<String> onFlink = SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(flink.resultsJsonl())));
    assertEquals(3, onDirect.size());
    assertEquals(onDirect, onFlink);
    assertEquals(
        JSON.readTree(Path.of(direct.bestJson()).toFile()).path("trial"),
        JSON.readTree(Path.of(flink.bestJson()).toFile()).path("trial"));
  }

  private static SweepPipeline.Options options(OutputLayout layout, Path study, String... runner) {
    String[] args = Stream.concat(
            Stream.of("--output=" + layout.root(), "--study=" + study, "--progressEverySeconds=0"),
            Stream.of(runner))
        .toArray(String[]::new);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(SweepPipeline.Options.class);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
