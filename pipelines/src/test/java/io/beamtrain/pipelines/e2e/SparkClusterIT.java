package io.beamtrain.pipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageObject;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * beamtrain-spark.jar on a real Spark 3.5 standalone cluster: a Master and two Workers (one core
 * each), separate JVMs on 127.0.0.1 started by this test from Maven artifacts ({@link
 * SparkStandaloneCluster}), with the output on the GCS test server in a JVM of its own ({@link
 * GcsServerProcess}). Two sweeps one after the other (one through {@code ./beamtrain}, one through
 * Spark's {@code SparkSubmit}, which is what {@code spark-submit} runs) and a {@code train}, each
 * matching the DirectRunner's results.jsonl and best trial with {@code --deterministic}.
 *
 * <p>It also checks what only a real cluster shows: trials train on both Workers, each executor
 * trains as many trials at once as it has cores (a Worker's {@code --cores 1}, not the machine's
 * cores); no Spark task failed or was retried (Spark's Guava 14, loaded first on executors, made
 * tasks fail and be retried, and on gs:// fail for good, before beamtrain-spark.jar relocated its
 * own); every process is stopped by pid and TensorFlow's natives, extracted under the test's
 * directory instead of {@code ~/.javacpp}, are deleted.
 *
 * <p>Run by {@code mvn -B verify -Pspark,spark-cluster -pl pipelines -am} (docs/CLUSTERS.md, Spark).
 */
class SparkClusterIT {
  private static final String BUCKET = "beamtrain-spark";
  private static final String GS = "gs://" + BUCKET + "/";
  private static final int WORKERS = 2;
  private static final int CORES_PER_WORKER = 1;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** TrialExecutor's debug line where a trial starts (the executors log it, see the cluster's log4j2). */
  private static final Pattern TRIAL_START = Pattern.compile("(trial-\\d+): starting on .* \\((\\d+) at once in this JVM\\)");
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
    Map<String, Long> durations = new LinkedHashMap<>();
    long start = System.nanoTime();
    // One JavaCPP cache for every JVM of the test (this one's DirectRunner runs, the drivers, the
    // executors): TensorFlow's natives (650 MB) are extracted once, under the test's directory.
    Path natives = tmp.resolve("javacpp-cache");
    System.setProperty("org.bytedeco.javacpp.cachedir", natives.toString());

    List<Long> pids = new ArrayList<>();
    Path events = Files.createDirectories(tmp.resolve("spark-events"));
    try (GcsServerProcess gcs = GcsServerProcess.start(tmp.resolve("gcs.log"), BUCKET);
        SparkStandaloneCluster cluster = SparkStandaloneCluster.start(tmp.resolve("cluster"), sparkClasspath,
            WORKERS, CORES_PER_WORKER, natives)) {
      pids.add(gcs.pid());
      pids.addAll(cluster.pids());
      Storage storage = gcs.storage();
      storage.writeBytes(GS + "input/penguins.csv", PenguinsData.csv().getBytes(StandardCharsets.UTF_8));
      storage.writeBytes(GS + "study.yaml", STUDY.getBytes(StandardCharsets.UTF_8));
      List<String> gcsFlags = List.of("--gcsEndpoint=" + gcs.endpoint(), "--gcsNoCredentials");
      String study = "--study=" + GS + "study.yaml";
      List<String> trainArgs = List.of("--input=" + GS + "input/penguins.csv", "--label=species",
          study, "--deterministic", "--progressEverySeconds=0");
      List<String> sweepArgs = List.of(study, "--deterministic", "--progressEverySeconds=0");

      // The references: the same commands on the DirectRunner, in this JVM.
      inProcess(concat(List.of("preprocess", "--input=" + GS + "input/penguins.csv",
          "--output=" + GS + "prepared", "--label=species"), gcsFlags));
      for (String run : List.of("direct-sweep", "spark-sweep-1", "spark-sweep-2")) {
        copyPrefix(storage, GS + "prepared/data/", GS + run + "/data/");
      }
      inProcess(concat(List.of("sweep", "--output=" + GS + "direct-sweep"), sweepArgs, gcsFlags));
      inProcess(concat(List.of("train", "--output=" + GS + "direct-train"), trainArgs, gcsFlags));
      durations.put("DirectRunner references", lap(start));

      // The cluster booted meanwhile.
      long clusterWait = System.nanoTime();
      cluster.awaitWorkers();
      durations.put("cluster start (after those)", lap(clusterWait));
      // Every server is bound to 127.0.0.1 (SPARK_LOCAL_IP and --host), none to all interfaces.
      List<Long> servers = new ArrayList<>(cluster.pids());
      servers.add(gcs.pid());
      for (long pid : servers) {
        List<String> sockets = ListeningSockets.of(pid);
        assertFalse(sockets.isEmpty(), "process " + pid + " listens on no port");
        assertEquals(List.of(), sockets.stream().filter(a -> !ListeningSockets.isLoopback(a)).toList(),
            "process " + pid + " listens beyond 127.0.0.1");
      }
      String master = "--sparkMaster=" + cluster.masterUrl();
      List<String> spark = List.of("--runner=SparkRunner", master);
      List<String> driverProperties = List.of("-Dspark.eventLog.enabled=true",
          "-Dspark.eventLog.dir=" + events.toUri(),
          "-Dorg.bytedeco.javacpp.cachedir=" + natives);

      // 1. ./beamtrain, as a user runs it: the launcher puts Spark's classpath first.
      long job = System.nanoTime();
      List<String> launcher = List.of("bash", root.resolve("beamtrain").toString(), "sweep",
          "--output=" + GS + "spark-sweep-1");
      driver(cluster, root, String.join(" ", driverProperties), concat(launcher, sweepArgs, spark, gcsFlags), pids);
      durations.put("sweep 1 (./beamtrain)", lap(job));
      // 2. spark-submit (bin/spark-submit runs this class with Spark's jars).
      job = System.nanoTime();
      List<String> submit = new ArrayList<>(List.of(SparkStandaloneCluster.javaBinary()));
      submit.addAll(SparkStandaloneCluster.ADD_OPENS);
      submit.addAll(driverProperties);
      submit.addAll(List.of("-cp", cluster.classpath(), "org.apache.spark.deploy.SparkSubmit",
          "--master", cluster.masterUrl(), "--class", "io.beamtrain.pipelines.cli.Main", jar.toString(),
          "sweep", "--output=" + GS + "spark-sweep-2", "--filesToStage=" + jar));
      driver(cluster, root, "", concat(submit, sweepArgs, spark, gcsFlags), pids);
      durations.put("sweep 2 (spark-submit)", lap(job));
      // 3. train (preprocess on the cluster too).
      job = System.nanoTime();
      List<String> train = List.of("bash", root.resolve("beamtrain").toString(), "train",
          "--output=" + GS + "spark-train");
      driver(cluster, root, String.join(" ", driverProperties), concat(train, trainArgs, spark, gcsFlags), pids);
      durations.put("train (./beamtrain)", lap(job));

      List<String> direct = results(storage, "direct-sweep");
      assertEquals(4, direct.size(), direct.toString());
      assertTrue(direct.stream().allMatch(l -> l.contains("\"status\":\"COMPLETED\"")), direct.toString());
      assertEquals(direct, results(storage, "spark-sweep-1"), "first sweep on the cluster vs the DirectRunner");
      assertEquals(direct, results(storage, "spark-sweep-2"), "second sweep on the cluster vs the DirectRunner");
      assertEquals(results(storage, "direct-train"), results(storage, "spark-train"),
          "train on the cluster vs the DirectRunner");
      for (String run : List.of("spark-sweep-1", "spark-sweep-2")) {
        assertEquals(winner(storage, "direct-sweep"), winner(storage, run), run);
      }
      assertEquals(winner(storage, "direct-train"), winner(storage, "spark-train"), "spark-train");

      int started = 0;
      for (Path worker : cluster.workerDirs()) {
        Map<String, Set<Integer>> trials = trialsStartedUnder(worker);
        assertFalse(trials.isEmpty(), "no trial trained on " + worker + cluster.logs());
        for (Map.Entry<String, Set<Integer>> trial : trials.entrySet()) {
          // The executor's cores, not the machine's: one trial at a time on a --cores 1 Worker.
          assertEquals(Set.of(CORES_PER_WORKER), trial.getValue(), trial.getKey() + " on " + worker);
        }
        started += trials.size();
      }
      assertEquals(12, started, "3 jobs x 4 trials, each trained once" + cluster.logs());
      assertNoFailedTasks(events);
      pids.addAll(cluster.pids());
      durations.put("total", lap(start));
    } finally {
      System.clearProperty("org.bytedeco.javacpp.cachedir");
    }

    // Everything this test started is gone (the executors too), and so are the natives they extracted.
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " still running");
    }
    try (Stream<Path> files = Files.walk(natives)) {
      assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("libtensorflow")),
          "TensorFlow's natives were extracted under " + natives);
    }
    deleteTree(natives);
    assertFalse(Files.exists(natives), natives.toString());
    durations.forEach((what, seconds) -> System.out.printf("SparkClusterIT: %-28s %4d s%n", what, seconds));
  }

  private static long lap(long startNanos) {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
  }

  /** Runs a driver process against the cluster; fails with its output unless it exits 0. */
  private void driver(SparkStandaloneCluster cluster, Path root, String javaOpts, List<String> command,
      List<Long> pids) throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "driver-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    SparkStandaloneCluster.sparkEnvironment(builder.environment(), cluster.sparkHome());
    builder.environment().remove("TF_OVERRIDE_GLOBAL_THREADPOOL");
    builder.environment().put("JAVA_OPTS", "-Xmx1g " + javaOpts);
    Process process = builder.start();
    pids.add(process.pid());
    try {
      boolean exited = process.waitFor(4, TimeUnit.MINUTES);
      process.descendants().forEach(p -> pids.add(p.pid()));
      String output = Files.readString(log);
      assertTrue(exited, "driver still running after 4 minutes: " + command + "\n" + output);
      assertEquals(0, process.exitValue(), command + "\n" + output + cluster.logs());
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Trial (app/executor/trial) to the "at once" counts its start lines give, from the executors' stderr. */
  private static Map<String, Set<Integer>> trialsStartedUnder(Path workerDir) throws IOException {
    Map<String, Set<Integer>> trials = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(workerDir)) {
      for (Path stderr : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        Matcher m = TRIAL_START.matcher(Files.readString(stderr));
        while (m.find()) {
          trials.computeIfAbsent(stderr.getParent().getParent().getFileName() + "/" + m.group(1), k -> new TreeSet<>())
              .add(Integer.parseInt(m.group(2)));
        }
      }
    }
    return trials;
  }

  /** Every task of every application ended in Success: none failed, none was retried. */
  private static void assertNoFailedTasks(Path events) throws IOException {
    int tasks = 0;
    int apps = 0;
    List<String> failed = new ArrayList<>();
    try (Stream<Path> files = Files.list(events)) {
      for (Path file : files.toList()) {
        apps++;
        for (String line : Files.readAllLines(file)) {
          JsonNode event = JSON.readTree(line);
          if (event.path("Event").asText().equals("SparkListenerTaskEnd")) {
            tasks++;
            String reason = event.path("Task End Reason").path("Reason").asText();
            int attempt = event.path("Task Info").path("Attempt").asInt();
            if (!reason.equals("Success") || attempt > 0) {
              failed.add(file.getFileName() + ": attempt " + attempt + " " + event.path("Task End Reason"));
            }
          }
        }
      }
    }
    assertEquals(3, apps, "one event log per job under " + events);
    assertTrue(tasks > 0, "no task in the event logs under " + events);
    assertEquals(List.of(), failed, "failed or retried Spark tasks");
  }

  private static void inProcess(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run(args.toArray(String[]::new));
    assertEquals(0, status, args + "\n" + out.toString(StandardCharsets.UTF_8));
  }

  private static void copyPrefix(Storage storage, String from, String to) {
    for (StorageObject object : storage.list(from)) {
      storage.writeBytes(to + object.path().substring(from.length()), storage.readBytes(object.path()));
    }
  }

  private static List<String> results(Storage storage, String run) {
    String text = new String(storage.readIfExists(GS + run + "/results.jsonl")
        .orElseThrow(() -> new AssertionError(run + "/results.jsonl missing")), StandardCharsets.UTF_8);
    return text.lines().map(l -> l.replaceAll("\"elapsed_seconds\":[0-9.Ee+-]+", "")).toList();
  }

  private static JsonNode winner(Storage storage, String run) throws IOException {
    JsonNode best = JSON.readTree(storage.readBytes(GS + run + "/best/best.json"));
    return JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("trial", best.path("trial"))
        .<com.fasterxml.jackson.databind.node.ObjectNode>set("step", best.path("step"))
        .set("metric", best.path("metric"));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    return Stream.of(parts).flatMap(List::stream).toList();
  }
}
