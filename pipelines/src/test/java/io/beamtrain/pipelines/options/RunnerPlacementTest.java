package io.beamtrain.pipelines.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.commands.PredictPipeline;
import io.beamtrain.pipelines.commands.SweepPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runner names as Beam accepts them, and local paths refused where workers are remote. */
class RunnerPlacementTest {
  @TempDir Path tmp;

  /** Every spelling Beam accepts resolves to the runner, and maps to the jar that has it. */
  @ParameterizedTest
  @CsvSource({
      "flink, FlinkRunner, flink",
      "Flink, FlinkRunner, flink",
      "FLINK, FlinkRunner, flink",
      "FlinkRunner, FlinkRunner, flink",
      "flinkrunner, FlinkRunner, flink",
      "TestFlinkRunner, TestFlinkRunner, flink",
      "org.apache.beam.runners.flink.FlinkRunner, FlinkRunner, flink",
      "spark, SparkRunner, spark",
      "Spark, SparkRunner, spark",
      "SparkRunner, SparkRunner, spark",
      "TestSpark, TestSparkRunner, spark",
      "SparkStructuredStreaming, SparkStructuredStreamingRunner, spark",
      "org.apache.beam.runners.spark.SparkRunner, SparkRunner, spark",
      "dataflow, DataflowRunner, ''",
      "DataflowRunner, DataflowRunner, ''",
      "direct, DirectRunner, ''",
      "DirectRunner, DirectRunner, ''",
  })
  void runnerNames(String name, String runnerClass, String profile) {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=" + name).create();
    assertEquals(runnerClass, options.getRunner().getSimpleName());
    assertEquals(profile.isEmpty() ? Optional.empty() : Optional.of(profile), RunnerPlacement.profileOf(name));
  }

  @ParameterizedTest
  @CsvSource({
      "--runner=DataflowRunner, true",
      "--runner=dataflow, true",
      "--runner=DirectRunner, false",
      "--runner=flink, false",
      "--runner=FlinkRunner --flinkMaster=[local], false",
      "--runner=FlinkRunner --flinkMaster=127.0.0.1:8081, true",
      "--runner=spark, false",
      "--runner=SparkRunner --sparkMaster=local[2], false",
      "--runner=SparkRunner --sparkMaster=spark://127.0.0.1:7077, true",
  })
  void whichRunnersHaveRemoteWorkers(String flags, boolean remote) {
    PipelineOptions options = PipelineOptionsFactory.fromArgs(flags.split(" ")).create();
    assertEquals(remote, RunnerPlacement.remoteWorkers(options).isPresent());
  }

  @ParameterizedTest
  @CsvSource({
      "data/penguins.csv, true",
      "/abs/penguins.csv, true",
      "file:///abs/penguins.csv, true",
      "gs://bucket/penguins.csv, false",
      "hdfs://namenode/penguins.csv, false",
  })
  void localPaths(String path, boolean local) {
    assertEquals(local, RunnerPlacement.isLocal(path));
  }

  @ParameterizedTest
  @CsvSource({
      "--output=out, output",
      "--tempLocation=/tmp/t, tempLocation",
  })
  void aRemoteRunnerRefusesALocalWorkerPathNamingTheFlag(String flag, String name) {
    String output = name.equals("output") ? flag : "--output=gs://b/out";
    String other = name.equals("output") ? "--tempLocation=gs://b/tmp" : flag;
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=DataflowRunner", output, other)
        .as(SweepPipeline.Options.class);
    UsageException e = assertThrows(UsageException.class, () -> RunnerPlacement.checkWorkerPaths(options));
    assertTrue(e.getMessage().startsWith("--" + name + "="), e.getMessage());
    assertTrue(e.getMessage().contains("DataflowRunner"), e.getMessage());
  }

  /** Through the CLI: exit 2, one line naming the flag, before anything is created or submitted. */
  @ParameterizedTest
  @CsvSource({
      "sweep, --runner=DataflowRunner --output=@out, --output",
      "predict, --runner=DataflowRunner --model=gs://b/m --input=@in.csv --predictions=gs://b/p, --input",
      "predict, --runner=DataflowRunner --model=@model --input=gs://b/in.csv --predictions=gs://b/p, --model",
      "predict, --runner=FlinkRunner --flinkMaster=127.0.0.1:8081 --model=gs://b/m --input=gs://b/in.csv --predictions=@p, --predictions",
      "retrain, --runner=SparkRunner --sparkMaster=spark://127.0.0.1:7077 --input=gs://b/s/*.csv --models=@models --label=species, --models",
      "train, --runner=dataflow --input=gs://b/in.csv --output=gs://b/out --label=species --tempLocation=@tmp, --tempLocation",
  })
  void cliRefusesLocalPathsBeforeSubmission(String command, String flags, String flag) throws Exception {
    String[] args = (command + " " + flags.replace("@", tmp + "/")).split(" ");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run(args);
    String text = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(2, status, text);
    assertFalse(text.contains("\n"), text);
    assertTrue(text.startsWith("beamtrain " + command + ": " + flag + "=" + tmp), text);
    try (var files = Files.list(tmp)) {
      assertEquals(0, files.count(), "nothing may be written before the refusal");
    }
  }

  @ParameterizedTest
  @CsvSource({"DirectRunner", "flink", "spark"})
  void localRunnersKeepLocalPaths(String runner) {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=" + runner, "--model=m",
        "--input=in.csv", "--predictions=p").as(PredictPipeline.Options.class);
    RunnerPlacement.checkWorkerPaths(options);
  }
}
