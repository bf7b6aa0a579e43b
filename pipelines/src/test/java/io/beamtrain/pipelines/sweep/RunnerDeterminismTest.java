package io.beamtrain.pipelines.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.commands.SweepPipelineTest;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep is a pure function of data, study and seed (DESIGN.md, Determinism): with {@code
 * --deterministic} the same small sweep writes byte-identical results.jsonl (up to the wall-clock
 * {@code elapsed_seconds}) and picks the same winner on the DirectRunner training one trial at a
 * time and two at a time, on the embedded FlinkRunner and on the SparkRunner on {@code local[2]}.
 *
 * <p>The model is sized so that thread counts matter: TensorFlow splits its 256x256 matrix
 * products by intra-op thread count (the penguins defaults, 32-64 units, are too small to be split
 * and would match whatever the threads). The test JVM gives each session its own intra-op pool
 * ({@code TF_OVERRIDE_GLOBAL_THREADPOOL}, see pipelines/pom.xml), so without the flag the
 * one-at-a-time DirectRunner run would train on every core and the others on one thread each.
 */
class RunnerDeterminismTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void directFlinkAndSparkRunnersGiveTheSameResults() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    Path data = tmp.resolve("prepared");
    PenguinsData.preprocess(input, data.toString(), StorageConfig.defaults());
    Path study = tmp.resolve("study.yaml");
    Files.writeString(study, """
        metric: {name: eval_loss}
        algorithm: RANDOM
        maxTrials: 3
        seed: 5
        trainSteps: 60
        evalEverySteps: 20
        checkpointEverySteps: 30
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.005, max: 0.05, scale: LOG}
          - {name: dropout, type: DOUBLE, min: 0.0, max: 0.3}
        fixed: {model: dnn, hidden_units: 256, num_layers: 2, batch_size: 256}
        """);

    Map<String, String[]> runs = new LinkedHashMap<>();
    runs.put("direct-1", new String[] {"--runner=DirectRunner", "--targetParallelism=1"});
    runs.put("direct-2", new String[] {"--runner=DirectRunner", "--targetParallelism=2"});
    runs.put("flink", new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"});
    runs.put("spark", new String[] {"--runner=SparkRunner", "--sparkMaster=local[2]"});
    Map<String, List<String>> results = new LinkedHashMap<>();
    Map<String, JsonNode> winners = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> run : runs.entrySet()) {
      OutputLayout layout = new OutputLayout(tmp.resolve(run.getKey()).toString());
      copyTree(data.resolve("data"), Path.of(layout.data()));
      SweepPipeline.run(options(layout, study, run.getValue()));
      results.put(run.getKey(),
          SweepPipelineTest.withoutElapsed(Files.readAllLines(Path.of(layout.resultsJsonl()))));
      JsonNode best = JSON.readTree(Path.of(layout.bestJson()).toFile());
      winners.put(run.getKey(), JSON.createObjectNode()
          .<com.fasterxml.jackson.databind.node.ObjectNode>set("trial", best.path("trial"))
          .<com.fasterxml.jackson.databind.node.ObjectNode>set("step", best.path("step"))
          .set("metric", best.path("metric")));
    }

    List<String> reference = results.get("direct-1");
    assertEquals(3, reference.size());
    assertTrue(reference.stream().allMatch(line -> line.contains("\"status\":\"COMPLETED\"")), reference.toString());
    for (String run : runs.keySet()) {
      assertEquals(reference, results.get(run), run + " vs direct-1");
      assertEquals(winners.get("direct-1"), winners.get(run), run + " vs direct-1");
    }
  }

  private static SweepPipeline.Options options(OutputLayout layout, Path study, String... runner) {
    String[] args = Stream.concat(
            Stream.of("--output=" + layout.root(), "--study=" + study, "--progressEverySeconds=0",
                "--deterministic"),
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
