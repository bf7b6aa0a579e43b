package io.beamtrain.pipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * beamtrain-spark.jar on a real Spark 3.5 standalone cluster (a Master and two Workers, separate
 * JVMs on 127.0.0.1, see {@link SparkStandaloneCluster}) with its output on the GCS test server:
 * two sweeps one after the other (one through {@code ./beamtrain}, one through Spark's {@code
 * SparkSubmit}, which is what {@code spark-submit} runs) and a {@code train}, each matching the
 * DirectRunner's results.jsonl and best trial with {@code --deterministic}; trials run on both
 * Workers and no Spark task fails (Spark's Guava 14 loaded first on executors made tasks fail and
 * be retried, and on gs:// fail for good, before beamtrain-spark.jar relocated its own).
 *
 * <p>Run by {@code mvn -B -Pspark,spark-cluster -pl pipelines -am verify -DskipTests}; the
 * commands are those of docs/CLUSTERS.md, Spark.
 */
class SparkClusterIT {
  private static final String BUCKET = "beamtrain-spark";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TRIAL_TRAINED = Pattern.compile("(trial-\\d+): \\d+ steps in");
  private static final String STUDY = """
      metric: {name: eval_loss}
      algorithm: RANDOM
      maxTrials: 4
      seed: 7
      trainSteps: 60
      evalEverySteps: 20
      checkpointEverySteps: 30
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.005, max: 0.05, scale: LOG}
        - {name: dropout, type: DOUBLE, min: 0.0, max: 0.3}
      fixed: {model: dnn, hidden_units: 32, num_layers: 2, batch_size: 64}
      """;

  @TempDir Path tmp;

  @Test
  void sweepsAndTrainOnASparkStandaloneClusterMatchTheDirectRunner() throws Exception {
    Path root = Path.of(System.getProperty("beamtrain.root")).toAbsolutePath().normalize();
    Path jar = Path.of(System.getProperty("beamtrain.sparkJar"));
    List<Path> sparkClasspath = Arrays.stream(
            Files.readString(Path.of(System.getProperty("beamtrain.sparkClasspath"))).trim().split(":"))
        .map(Path::of).toList();
    assertTrue(Files.isRegularFile(jar), jar + " (built by the spark profile)");

    try (GcsTestServer gcs = GcsTestServer.start()) {
      gcs.createBucket(BUCKET);
      gcs.putObject(BUCKET, "input/penguins.csv", PenguinsData.csv().getBytes(StandardCharsets.UTF_8));
      gcs.putObject(BUCKET, "study.yaml", STUDY.getBytes(StandardCharsets.UTF_8));
      List<String> storage = List.of("--gcsEndpoint=" + gcs.endpoint(), "--gcsNoCredentials");
      String study = "--study=gs://" + BUCKET + "/study.yaml";
      List<String> trainArgs = List.of("--input=gs://" + BUCKET + "/input/penguins.csv", "--label=species",
          study, "--deterministic", "--progressEverySeconds=0");
      List<String> sweepArgs = List.of(study, "--deterministic", "--progressEverySeconds=0");

      // The references: the same commands on the DirectRunner, in this JVM.
      inProcess(concat(List.of("preprocess", "--input=gs://" + BUCKET + "/input/penguins.csv",
          "--output=gs://" + BUCKET + "/prepared", "--label=species"), storage));
      for (String run : List.of("direct-sweep", "spark-sweep-1", "spark-sweep-2")) {
        copyPrefix(gcs, "prepared/data/", run + "/data/");
      }
      inProcess(concat(List.of("sweep", "--output=gs://" + BUCKET + "/direct-sweep"), sweepArgs, storage));
      inProcess(concat(List.of("train", "--output=gs://" + BUCKET + "/direct-train"), trainArgs, storage));

      Path events = Files.createDirectories(tmp.resolve("spark-events"));
      long clusterStart = System.nanoTime();
      try (SparkStandaloneCluster cluster = SparkStandaloneCluster.start(tmp.resolve("cluster"), sparkClasspath, 2, 1)) {
        System.out.printf("SparkClusterIT: cluster up in %.0f s%n", (System.nanoTime() - clusterStart) / 1e9);
        String master = "--sparkMaster=" + cluster.masterUrl();
        List<String> spark = List.of("--runner=SparkRunner", master);
        List<String> driverProperties = List.of("-Dspark.eventLog.enabled=true",
            "-Dspark.eventLog.dir=" + events.toUri(),
            "-Dorg.bytedeco.javacpp.cachedir=" + tmp.resolve("javacpp-driver"));

        // 1. ./beamtrain, as a user runs it: the launcher puts Spark's classpath first.
        List<String> launcher = new ArrayList<>(List.of("bash", root.resolve("beamtrain").toString(), "sweep",
            "--output=gs://" + BUCKET + "/spark-sweep-1"));
        driver("sweep 1 (./beamtrain)", cluster, root, String.join(" ", driverProperties),
            concat(launcher, sweepArgs, spark, storage));
        // 2. spark-submit (bin/spark-submit runs this class with Spark's jars).
        List<String> submit = new ArrayList<>(List.of(SparkStandaloneCluster.javaBinary()));
        submit.addAll(SparkStandaloneCluster.ADD_OPENS);
        submit.addAll(driverProperties);
        submit.addAll(List.of("-cp", cluster.classpath(), "org.apache.spark.deploy.SparkSubmit",
            "--master", cluster.masterUrl(), "--class", "io.beamtrain.pipelines.cli.Main", jar.toString(),
            "sweep", "--output=gs://" + BUCKET + "/spark-sweep-2", "--filesToStage=" + jar));
        driver("sweep 2 (SparkSubmit)", cluster, root, "", concat(submit, sweepArgs, spark, storage));
        // 3. train (preprocess on the cluster too).
        List<String> train = new ArrayList<>(List.of("bash", root.resolve("beamtrain").toString(), "train",
            "--output=gs://" + BUCKET + "/spark-train"));
        driver("train (./beamtrain)", cluster, root, String.join(" ", driverProperties), concat(train, trainArgs, spark, storage));

        List<String> direct = results(gcs, "direct-sweep");
        assertEquals(4, direct.size(), direct.toString());
        assertTrue(direct.stream().allMatch(l -> l.contains("\"status\":\"COMPLETED\"")), direct.toString());
        assertEquals(direct, results(gcs, "spark-sweep-1"), "first sweep on the cluster vs the DirectRunner");
        assertEquals(direct, results(gcs, "spark-sweep-2"), "second sweep on the cluster vs the DirectRunner");
        assertEquals(results(gcs, "direct-train"), results(gcs, "spark-train"), "train on the cluster vs the DirectRunner");
        for (String run : List.of("spark-sweep-1", "spark-sweep-2")) {
          assertEquals(winner(gcs, "direct-sweep"), winner(gcs, run), run);
        }
        assertEquals(winner(gcs, "direct-train"), winner(gcs, "spark-train"), "spark-train");

        for (Path worker : cluster.workerDirs()) {
          Set<String> trials = trialsTrainedUnder(worker);
          assertTrue(!trials.isEmpty(), "no trial trained on " + worker + cluster.logs());
        }
        assertNoFailedTasks(events);
      }
    }
  }

  /** Runs a driver process against the cluster; fails with its output unless it exits 0. */
  private void driver(String name, SparkStandaloneCluster cluster, Path root, String javaOpts, List<String> command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "driver-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    SparkStandaloneCluster.sparkEnvironment(builder.environment(), cluster.sparkHome());
    builder.environment().put("JAVA_OPTS", "-Xmx2g " + javaOpts);
    long start = System.nanoTime();
    Process process = builder.start();
    try {
      boolean exited = process.waitFor(4, TimeUnit.MINUTES);
      System.out.printf("SparkClusterIT: %s took %.0f s%n", name, (System.nanoTime() - start) / 1e9);
      String output = Files.readString(log);
      assertTrue(exited, "driver still running after 4 minutes: " + command + "\n" + output);
      assertEquals(0, process.exitValue(), command + "\n" + output + cluster.logs());
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static Set<String> trialsTrainedUnder(Path workerDir) throws IOException {
    Set<String> trials = new LinkedHashSet<>();
    try (Stream<Path> files = Files.walk(workerDir)) {
      for (Path stderr : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        Matcher m = TRIAL_TRAINED.matcher(Files.readString(stderr));
        while (m.find()) {
          trials.add(stderr.getParent().getParent().getFileName() + "/" + m.group(1));
        }
      }
    }
    return trials;
  }

  /** Every task of every application ended in Success: nothing was retried. */
  private static void assertNoFailedTasks(Path events) throws IOException {
    int tasks = 0;
    List<String> failed = new ArrayList<>();
    try (Stream<Path> files = Files.list(events)) {
      for (Path file : files.toList()) {
        for (String line : Files.readAllLines(file)) {
          JsonNode event = JSON.readTree(line);
          if (event.path("Event").asText().equals("SparkListenerTaskEnd")) {
            tasks++;
            String reason = event.path("Task End Reason").path("Reason").asText();
            if (!reason.equals("Success")) {
              failed.add(file.getFileName() + ": " + event.path("Task End Reason"));
            }
          }
        }
      }
    }
    assertTrue(tasks > 0, "no task in the event logs under " + events);
    assertEquals(List.of(), failed, "failed Spark tasks");
  }

  private static void inProcess(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run(args.toArray(String[]::new));
    assertEquals(0, status, args + "\n" + out.toString(StandardCharsets.UTF_8));
  }

  private static void copyPrefix(GcsTestServer gcs, String from, String to) {
    for (String name : gcs.objectNames(BUCKET, from)) {
      gcs.putObject(BUCKET, to + name.substring(from.length()), gcs.getObject(BUCKET, name).orElseThrow());
    }
  }

  private static List<String> results(GcsTestServer gcs, String run) {
    String text = new String(gcs.getObject(BUCKET, run + "/results.jsonl")
        .orElseThrow(() -> new AssertionError(run + "/results.jsonl missing")), StandardCharsets.UTF_8);
    return text.lines().map(l -> l.replaceAll("\"elapsed_seconds\":[0-9.Ee+-]+", "")).toList();
  }

  private static JsonNode winner(GcsTestServer gcs, String run) throws IOException {
    JsonNode best = JSON.readTree(gcs.getObject(BUCKET, run + "/best/best.json").orElseThrow());
    return JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("trial", best.path("trial"))
        .<com.fasterxml.jackson.databind.node.ObjectNode>set("step", best.path("step"))
        .set("metric", best.path("metric"));
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    return Stream.of(parts).flatMap(List::stream).toList();
  }
}
