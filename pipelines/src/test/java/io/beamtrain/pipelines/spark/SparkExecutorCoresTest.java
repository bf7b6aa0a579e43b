package io.beamtrain.pipelines.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SparkExecutorCoresTest {
  /** A standalone Worker's executor command line (ExecutorRunner), as the executor JVM sees it. */
  private static final List<String> EXECUTOR = List.of("java", "-cp", "/spark/jars/*", "-Xmx2048M",
      "org.apache.spark.executor.CoarseGrainedExecutorBackend", "--driver-url",
      "spark://CoarseGrainedScheduler@127.0.0.1:40123", "--executor-id", "0", "--hostname", "127.0.0.1",
      "--cores", "3", "--app-id", "app-1", "--worker-url", "spark://Worker@127.0.0.1:40124");

  private static Function<String, Optional<String>> conf(Map<String, String> values) {
    return key -> Optional.ofNullable(values.get(key));
  }

  @Test
  void theCoresTheClusterManagerGaveTheExecutor() {
    assertEquals(OptionalInt.of(3), SparkExecutorCores.resolve(conf(Map.of()), EXECUTOR));
  }

  @Test
  void sparkExecutorCoresWinsAndTaskCpusDivides() {
    assertEquals(OptionalInt.of(4),
        SparkExecutorCores.resolve(conf(Map.of("spark.executor.cores", "4")), EXECUTOR));
    assertEquals(OptionalInt.of(2),
        SparkExecutorCores.resolve(conf(Map.of("spark.executor.cores", "4", "spark.task.cpus", "2")), EXECUTOR));
    assertEquals(OptionalInt.of(1),
        SparkExecutorCores.resolve(conf(Map.of("spark.task.cpus", "8")), EXECUTOR));
  }

  @Test
  void unknownWithoutCores() {
    assertEquals(OptionalInt.empty(), SparkExecutorCores.resolve(conf(Map.of()), List.of("java", "Main")));
    assertEquals(OptionalInt.empty(),
        SparkExecutorCores.resolve(conf(Map.of("spark.executor.cores", "zero")), List.of("--cores")));
  }

  @Test
  void outsideASparkExecutorThereIsNone() {
    // No Spark on this classpath (default build), or Spark's driver: the machine's cores decide.
    assertEquals(OptionalInt.empty(), SparkExecutorCores.ofThisExecutor());
  }
}
