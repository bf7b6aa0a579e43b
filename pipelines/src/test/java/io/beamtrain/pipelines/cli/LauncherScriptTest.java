package io.beamtrain.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ./beamtrain} runs the jar that holds the runner, for every runner name Beam accepts
 * (RunnerPlacementTest checks the same names against Beam and the CLI). The script runs from a
 * copy whose jars are up to date, with a {@code java} on the PATH that prints its {@code -jar}.
 */
class LauncherScriptTest {
  @TempDir Path root;

  @ParameterizedTest
  @CsvSource({
      "--runner=flink, beamtrain-flink.jar",
      "--runner=Flink, beamtrain-flink.jar",
      "--runner=FlinkRunner, beamtrain-flink.jar",
      "--runner=TestFlinkRunner, beamtrain-flink.jar",
      "--runner=org.apache.beam.runners.flink.FlinkRunner, beamtrain-flink.jar",
      "--runner=spark, beamtrain-spark.jar",
      "--runner=SPARK, beamtrain-spark.jar",
      "--runner=SparkRunner, beamtrain-spark.jar",
      "--runner=SparkStructuredStreamingRunner, beamtrain-spark.jar",
      "--runner=org.apache.beam.runners.spark.SparkRunner, beamtrain-spark.jar",
      "--runner=dataflow, beamtrain.jar",
      "--runner=DataflowRunner, beamtrain.jar",
      "--runner=direct, beamtrain.jar",
      "--output=flink, beamtrain.jar",
  })
  void picksTheJarOfTheRunner(String flag, String jar) throws Exception {
    Files.copy(Path.of("..", "beamtrain"), root.resolve("beamtrain"));
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
    Path target = Files.createDirectories(root.resolve("pipelines/target"));
    for (String name : new String[] {"beamtrain.jar", "beamtrain-flink.jar", "beamtrain-spark.jar"}) {
      Files.writeString(target.resolve(name), "jar");
    }
    // Spark's own classpath, which the launcher puts before beamtrain-spark.jar (Spark is provided).
    Path sparkRuntime = Files.createDirectories(root.resolve("spark-runtime/target"));
    Files.writeString(sparkRuntime.resolve("classpath.txt"), "/spark/spark-core.jar");
    Path bin = Files.createDirectories(root.resolve("bin"));
    Path java = bin.resolve("java");
    // Prints the jar it runs: the argument after -jar, or the last entry of -cp.
    Files.writeString(java, "#!/usr/bin/env bash\nwhile [[ $# -gt 0 ]]; do if [[ $1 == -jar ]]; then echo \"$2\"; "
        + "elif [[ $1 == -cp ]]; then echo \"${2##*:}\"; fi; shift; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

    ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("beamtrain").toString(), "sweep", flag)
        .redirectErrorStream(true);
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    process.waitFor(30, TimeUnit.SECONDS);
    assertEquals(0, process.exitValue(), output);
    assertEquals(target.resolve(jar).toString(), output);
  }

}
