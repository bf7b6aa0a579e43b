package io.beamtrain.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.pipelines.cli.Cli;
import io.beamtrain.pipelines.cli.Commands;
import io.beamtrain.pipelines.testing.GcsTestServerProcess;
import io.beamtrain.pipelines.testing.PenguinsData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * beamtrain on a real Flink 1.19 session cluster, as docs/CLUSTERS.md sets one up: a JobManager
 * and two TaskManagers (two slots each) started by this test as separate JVMs on 127.0.0.1 from
 * the Maven artifacts of Flink's lib/ ({@code src/test/flink-cluster/pom.xml}), prepared with
 * {@code ./beamtrain flink-setup}; jobs submitted with {@code ./beamtrain ... --runner=FlinkRunner
 * --flinkMaster=127.0.0.1:PORT}, output on the GCS test server (a JVM of its own, on 127.0.0.1).
 *
 * <p>Two sweeps one after the other (the second job is the one that crashed TaskManagers when
 * TensorFlow came with each job's class loader) and one {@code train}; each results.jsonl must be
 * the DirectRunner's byte for byte up to {@code elapsed_seconds} ({@code --deterministic}), and in
 * every job each TaskManager must have trained as many trials as it has slots (4 trials, 2 x 2
 * slots: {@code SpreadOverWorkers}). Processes are stopped by pid and the TensorFlow natives they
 * extracted (a per-test JavaCPP cache) deleted; both are checked. Run by {@code -Pflink-cluster}.
 */
class FlinkSessionClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUCKET = "beamtrain-flink";
  private static final int TASK_MANAGERS = 2;
  private static final int SLOTS = 2;
  private static final String STUDY = """
      metric: {name: eval_loss}
      algorithm: RANDOM
      maxTrials: 4
      seed: 11
      trainSteps: 60
      evalEverySteps: 20
      checkpointEverySteps: 30
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.005, max: 0.05, scale: LOG}
        - {name: hidden_units, type: DISCRETE, values: [16, 32]}
      fixed: {model: dnn, num_layers: 1, batch_size: 32}
      """;
  /** The JDK packages Flink's distribution opens on Java 17 (env.java.opts.all), and the launcher's. */
  private static final List<String> JAVA_17_OPENS = List.of(
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static Path home;
  private static Path nativeCache;
  private static GcsTestServerProcess gcs;
  private static final List<Process> cluster = new ArrayList<>();
  private static int restPort;
  private static String flinkClasspath;

  @BeforeAll
  static void startCluster() throws Exception {
    home = Files.createTempDirectory("beamtrain-flink-home");
    nativeCache = home.resolve("javacpp-cache");
    // TensorFlow's natives of the DirectRunner runs in this JVM go to the per-test cache too.
    System.setProperty("org.bytedeco.javacpp.cachedir", nativeCache.toString());
    Files.createDirectories(home.resolve("log"));
    gcs = GcsTestServerProcess.start(home.resolve("log/gcs-test-server.log"), BUCKET);
    flinkClasspath = resolveFlinkLib();
    restPort = writeConfig(home, SLOTS);

    // The cluster-side part, as the docs say: TensorFlow into lib/, the settings into conf/.
    Launch setup = beamtrain("flink-setup", "--runner=FlinkRunner", "--flinkHome=" + home);
    assertEquals(0, setup.status, setup.output);
    assertTrue(Files.isRegularFile(home.resolve("lib").resolve(FlinkSetup.LIB_JAR)), setup.output);
    String config = Files.readString(home.resolve("conf/config.yaml"));
    assertTrue(config.contains("classloader.parent-first-patterns.additional: org.tensorflow.;org.bytedeco.;com.google.protobuf."),
        config);

    List<Process> started = startCluster(home, "", TASK_MANAGERS);
    cluster.addAll(started);
    awaitTaskManagers(restPort, TASK_MANAGERS, started);
  }

  /**
   * Starts a JobManager and {@code taskManagers} TaskManagers of the Flink directory {@code
   * flinkDir} (its conf/, and lib/ if flink-setup wrote one); logs named with {@code prefix}.
   */
  private static List<Process> startCluster(Path flinkDir, String prefix, int taskManagers) throws Exception {
    List<Process> started = new ArrayList<>();
    started.add(startFlinkProcess(flinkDir, prefix + "jobmanager",
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
        resourceParams(flinkDir, "GET_JM_RESOURCE_PARAMS"), List.of()));
    List<List<String>> tm = resourceParams(flinkDir, "GET_TM_RESOURCE_PARAMS");
    for (int i = 1; i <= taskManagers; i++) {
      started.add(startFlinkProcess(flinkDir, prefix + "taskmanager-" + i, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
          tm, List.of("-D", "taskmanager.resource-id=" + prefix + "taskmanager-" + i)));
    }
    return started;
  }

  /** Writes {@code flinkDir}'s conf/ (config.yaml on free loopback ports, log4j); returns its REST port. */
  private static int writeConfig(Path flinkDir, int slots) throws IOException {
    Files.createDirectories(flinkDir.resolve("conf"));
    Files.createDirectories(flinkDir.resolve("work"));
    int rest = freePort();
    Files.writeString(flinkDir.resolve("conf/config.yaml"), String.join("\n",
        "jobmanager.rpc.address: 127.0.0.1",
        "jobmanager.bind-host: 127.0.0.1",
        "jobmanager.rpc.port: " + freePort(),
        "jobmanager.memory.process.size: 1024m",
        "rest.address: 127.0.0.1",
        "rest.bind-address: 127.0.0.1",
        "rest.port: " + rest,
        "blob.server.port: " + freePort(),
        "taskmanager.host: 127.0.0.1",
        "taskmanager.bind-host: 127.0.0.1",
        "taskmanager.numberOfTaskSlots: " + slots,
        "taskmanager.memory.process.size: 2048m",
        "parallelism.default: 1",
        // The processes' working directories (blob caches with each job's 400 MB jar) in the
        // test's directory, which is deleted, not in /tmp/tm_<id> shared by every run.
        "process.working-dir: " + flinkDir.resolve("work"),
        "") );
    Files.writeString(flinkDir.resolve("conf/log4j.properties"), String.join("\n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.file.ref = MainAppender",
        // Where each trial starts (TrialExecutor's debug line): which TaskManager trained it.
        "logger.trials.name = io.beamtrain.pipelines.sweep.TrialExecutor",
        "logger.trials.level = DEBUG",
        "appender.main.name = MainAppender",
        "appender.main.type = File",
        "appender.main.fileName = ${sys:log.file}",
        "appender.main.layout.type = PatternLayout",
        "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
        ""));
    return rest;
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Process process : cluster) {
      stop(process);
    }
    if (gcs != null) {
      gcs.close();
      assertTrue(!gcs.handle().isAlive(), "the GCS test server is still running");
    }
    System.clearProperty("org.bytedeco.javacpp.cachedir");
    if (home != null) {
      deleteTree(home);
      assertTrue(!Files.exists(nativeCache), "TensorFlow's extracted natives are left in " + nativeCache);
    }
    for (Process process : cluster) {
      assertTrue(!process.isAlive() && process.descendants().noneMatch(ProcessHandle::isAlive),
          "a Flink process is still running: pid " + process.pid());
    }
  }

  @Test
  void twoSweepsAndATrainMatchTheDirectRunnerAndUseBothTaskManagers() throws Exception {
    Path local = home.resolve("direct");
    String csv = PenguinsData.writeCsv(local.resolve("input").toString(),
        io.beamtrain.checkpointing.storage.StorageConfig.defaults());
    Path study = home.resolve("study.yaml");
    Files.writeString(study, STUDY);
    gcs.write("gs://" + BUCKET + "/input/penguins.csv", Files.readAllBytes(Path.of(csv)));

    // The DirectRunner's results, in this JVM: one sweep on preprocessed data, one train.
    String sweepRef = local.resolve("sweep").toString();
    assertEquals(0, cli("preprocess", "--input=" + csv, "--output=" + sweepRef, "--label=species"));
    assertEquals(0, cli("sweep", "--output=" + sweepRef, "--study=" + study, "--deterministic",
        "--progressEverySeconds=0"));
    String trainRef = local.resolve("train").toString();
    assertEquals(0, cli("train", "--input=" + csv, "--output=" + trainRef, "--label=species",
        "--study=" + study, "--deterministic", "--progressEverySeconds=0"));
    List<String> expectedSweep = results(Files.readString(Path.of(sweepRef, "results.jsonl")));
    List<String> expectedTrain = results(Files.readString(Path.of(trainRef, "results.jsonl")));
    assertEquals(4, expectedSweep.size(), expectedSweep.toString());
    assertAJobWithoutFlinkSetupIsRefused(Path.of(sweepRef, "data"), study);

    // The same on the cluster: two sweeps (each on a copy of the same data), job after job, then train.
    for (String run : List.of("sweep-1", "sweep-2")) {
      uploadTree(Path.of(sweepRef, "data"), run + "/data");
      long[] logsBefore = taskManagerLogSizes();
      Launch sweep = beamtrain("sweep", "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + restPort,
          "--parallelism=" + TASK_MANAGERS * SLOTS, "--output=gs://" + BUCKET + "/" + run, "--study=" + study,
          "--deterministic", "--progressEverySeconds=0", "--gcsEndpoint=" + gcs.endpoint(), "--gcsNoCredentials");
      assertEquals(0, sweep.status, run + ":\n" + sweep.output + taskManagerLogTails());
      assertEquals(expectedSweep, results(object(run + "/results.jsonl")), run + " vs DirectRunner");
      assertTrialsPerTaskManager(run, logsBefore);
    }
    long[] logsBefore = taskManagerLogSizes();
    Launch train = beamtrain("train", "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + restPort,
        "--parallelism=" + TASK_MANAGERS * SLOTS, "--input=gs://" + BUCKET + "/input/penguins.csv",
        "--output=gs://" + BUCKET + "/train", "--label=species", "--study=" + study, "--deterministic",
        "--progressEverySeconds=0", "--gcsEndpoint=" + gcs.endpoint(), "--gcsNoCredentials");
    assertEquals(0, train.status, "train:\n" + train.output + taskManagerLogTails());
    assertEquals(expectedTrain, results(object("train/results.jsonl")), "train vs DirectRunner");
    assertTrialsPerTaskManager("train", logsBefore);
    // The TaskManagers extracted TensorFlow's natives (from lib/'s jar) into the per-test cache,
    // which stopCluster removes, not into ~/.javacpp/cache.
    try (Stream<Path> extracted = Files.walk(nativeCache, 2)) {
      List<String> dirs = extracted.map(f -> nativeCache.relativize(f).toString()).toList();
      assertTrue(dirs.stream().anyMatch(d -> d.contains(FlinkSetup.LIB_JAR)), "no natives from lib/ in " + dirs);
    }
  }

  /**
   * The unsafe setup, a plain Flink (TensorFlow only in the job jar, loaded by the job's class
   * loader): a sweep fails with the error that names flink-setup, and the TaskManager survives
   * (no {@code libprotobuf FATAL}). A one-TaskManager cluster of its own, stopped afterwards.
   */
  private static void assertAJobWithoutFlinkSetupIsRefused(Path sweepData, Path study) throws Exception {
    Path plain = home.resolve("plain-flink");
    int port = writeConfig(plain, 1);
    List<Process> started = startCluster(plain, "plain-", 1);
    cluster.addAll(started);
    try {
      awaitTaskManagers(port, 1, started);
      uploadTree(sweepData, "plain/data");
      Launch sweep = beamtrain("sweep", "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + port, "--parallelism=1",
          "--output=gs://" + BUCKET + "/plain", "--study=" + study, "--deterministic", "--progressEverySeconds=0",
          "--gcsEndpoint=" + gcs.endpoint(), "--gcsNoCredentials");
      assertTrue(sweep.status != 0, "a sweep without flink-setup succeeded:\n" + sweep.output);
      // The command's own failure line names the fix (not only Beam's logged stack trace).
      String failureLine = sweep.output.lines().filter(l -> l.startsWith("beamtrain sweep: failed: ")).findFirst().orElse("");
      assertTrue(failureLine.contains("run 'beamtrain flink-setup --flinkHome="),
          "without flink-setup:\n" + sweep.output + taskManagerLogTails());
      assertTrue(started.get(1).isAlive(), "the TaskManager died:" + taskManagerLogTails());
      String out = Files.readString(home.resolve("log/plain-taskmanager-1.out"));
      assertTrue(!out.contains("libprotobuf FATAL"), out);
    } finally {
      for (Process process : started) {
        stop(process);
      }
    }
  }

  /** Each TaskManager trained {@code SLOTS} of the job's 4 trials: both workers, every slot one trial. */
  private static void assertTrialsPerTaskManager(String job, long[] logsBefore) throws IOException {
    List<Integer> perTaskManager = new ArrayList<>();
    for (int i = 1; i <= TASK_MANAGERS; i++) {
      perTaskManager.add(trialsStarted(taskManagerLog(i), logsBefore[i - 1]).size());
    }
    assertEquals(java.util.Collections.nCopies(TASK_MANAGERS, SLOTS), perTaskManager,
        job + ": trials started per TaskManager" + taskManagerLogTails());
  }

  private static Path taskManagerLog(int i) {
    return home.resolve("log/taskmanager-" + i + ".log");
  }

  private static long[] taskManagerLogSizes() throws IOException {
    long[] sizes = new long[TASK_MANAGERS];
    for (int i = 1; i <= TASK_MANAGERS; i++) {
      sizes[i - 1] = Files.exists(taskManagerLog(i)) ? Files.size(taskManagerLog(i)) : 0;
    }
    return sizes;
  }

  // ---------------------------------------------------------------------------------------------

  private record Launch(int status, String output) {}

  /** Runs {@code ./beamtrain args} (the launcher at the repository root) and waits for it. */
  private static Launch beamtrain(String... args) throws Exception {
    Path root = Path.of(System.getProperty("flink.cluster.pom")).toAbsolutePath()
        .getParent().getParent().getParent().getParent().getParent();
    List<String> command = new ArrayList<>();
    command.add(root.resolve("beamtrain").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    cleanEnvironment(builder.environment());
    builder.environment().put("JAVA_OPTS", "-Xmx1g -Dorg.bytedeco.javacpp.cachedir=" + nativeCache);
    Path log = Files.createTempFile(home, "launch", ".log");
    Process process = builder.redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(6, TimeUnit.MINUTES)) {
        stop(process);
        return new Launch(-1, "timed out: " + Files.readString(log));
      }
      return new Launch(process.exitValue(), Files.readString(log));
    } finally {
      if (process.isAlive()) {
        stop(process);
      }
    }
  }

  /** A JobManager or TaskManager JVM on Flink's lib/ (the artifacts, plus flink-setup's jar if written). */
  private static Process startFlinkProcess(Path flinkDir, String name, String mainClass, List<List<String>> resources,
      List<String> dynamic) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(resources.get(0));
    command.addAll(JAVA_17_OPENS);
    command.add("-Dlog.file=" + home.resolve("log/" + name + ".log"));
    command.add("-Dlog4j.configurationFile=" + flinkDir.resolve("conf/log4j.properties"));
    command.add("-Dorg.bytedeco.javacpp.cachedir=" + nativeCache);
    command.add("-cp");
    Path setupJar = flinkDir.resolve("lib").resolve(FlinkSetup.LIB_JAR);
    command.add(Files.exists(setupJar) ? flinkClasspath + java.io.File.pathSeparator + setupJar : flinkClasspath);
    command.add(mainClass);
    command.add("--configDir");
    command.add(flinkDir.resolve("conf").toString());
    command.addAll(resources.get(1));
    command.addAll(dynamic);
    ProcessBuilder builder = new ProcessBuilder(command);
    cleanEnvironment(builder.environment());
    builder.environment().put("FLINK_CONF_DIR", flinkDir.resolve("conf").toString());
    return builder.redirectErrorStream(true).redirectOutput(home.resolve("log/" + name + ".out").toFile()).start();
  }

  /**
   * The JVM flags (heap, direct and metaspace sizes) and the derived memory settings of a JobManager
   * or TaskManager, as bin/jobmanager.sh and bin/taskmanager.sh get them from Flink's
   * BashJavaUtils: two lists, the flags and the {@code -D key=value} dynamic properties.
   */
  private static List<List<String>> resourceParams(Path flinkDir, String command) throws Exception {
    Path out = home.resolve("log/" + command + ".out");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", flinkClasspath, "org.apache.flink.runtime.util.bash.BashJavaUtils", command,
        "--configDir", flinkDir.resolve("conf").toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), command + " timed out");
    String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
    List<List<String>> results = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      if (line.startsWith(prefix)) {
        String value = line.substring(prefix.length()).trim();
        results.add(value.isEmpty() ? List.of() : List.of(value.split("\\s+")));
      }
    }
    assertEquals(0, process.exitValue(), Files.readString(out));
    assertEquals(2, results.size(), Files.readString(out));
    return results;
  }

  /** What a user's shell would have: none of the surefire JVM's test-only TensorFlow switches. */
  private static void cleanEnvironment(Map<String, String> env) {
    env.remove("TF_OVERRIDE_GLOBAL_THREADPOOL");
    env.put("TF_CPP_MIN_LOG_LEVEL", "2");
  }

  /** Flink 1.19.0's lib/ as Maven resolves it from src/test/flink-cluster/pom.xml. */
  private static String resolveFlinkLib() throws Exception {
    Path out = home.resolve("flink-classpath.txt");
    String mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn").toString();
    Process process = new ProcessBuilder(mvn, "-B", "-q", "-f", System.getProperty("flink.cluster.pom"),
        "dependency:build-classpath", "-Dmdep.outputFile=" + out)
        .redirectErrorStream(true).redirectOutput(home.resolve("log/mvn.log").toFile()).start();
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "resolving Flink's lib/ timed out");
    assertEquals(0, process.exitValue(), Files.readString(home.resolve("log/mvn.log")));
    return Files.readString(out).trim();
  }

  private static void awaitTaskManagers(int port, int count, List<Process> processes) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/taskmanagers");
    // A bound, not a speed check: on a loaded machine a TaskManager took over 2 minutes to register.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process process : processes) {
        assertTrue(process.isAlive(), "a Flink process exited:" + taskManagerLogTails());
      }
      try {
        last = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        if (JSON.readTree(last).path("taskmanagers").size() == count) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("TaskManagers did not register: " + last + taskManagerLogTails());
  }

  /** Stops a process by its pid: SIGTERM, then SIGKILL after 30 s; its children likewise. */
  private static void stop(Process process) throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private static int cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = new Cli(print, print, Commands.all()).run(args);
    assertEquals(0, status, String.join(" ", args) + ":\n" + out.toString(StandardCharsets.UTF_8));
    return status;
  }

  /** results.jsonl's lines without the wall-clock field, keys in order. */
  private static List<String> results(String jsonl) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : jsonl.split("\n")) {
      if (!line.isBlank()) {
        ObjectNode node = (ObjectNode) JSON.readTree(line);
        node.remove("elapsed_seconds");
        ((ObjectNode) node.path("metrics")).remove("serving_latency_ms");
        lines.add(JSON.writeValueAsString(node));
      }
    }
    return lines;
  }

  private static String object(String name) {
    return gcs.read("gs://" + BUCKET + "/" + name);
  }

  private static void uploadTree(Path from, String prefix) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        gcs.write("gs://" + BUCKET + "/" + prefix + "/" + from.relativize(file).toString().replace('\\', '/'),
            Files.readAllBytes(file));
      }
    }
  }

  private static final Pattern TRIAL_START = Pattern.compile("(trial-\\d+): starting on");

  /** The trials whose start a TaskManager logged after the first {@code from} bytes of its log. */
  private static TreeSet<String> trialsStarted(Path log, long from) throws IOException {
    TreeSet<String> trials = new TreeSet<>();
    if (Files.exists(log)) {
      byte[] bytes = Files.readAllBytes(log);
      Matcher m = TRIAL_START.matcher(new String(bytes, (int) from, bytes.length - (int) from, StandardCharsets.UTF_8));
      while (m.find()) {
        trials.add(m.group(1));
      }
    }
    return trials;
  }

  private static String taskManagerLogTails() {
    StringBuilder tails = new StringBuilder();
    try (Stream<Path> logs = Files.list(home.resolve("log"))) {
      for (Path log : logs.sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        tails.append("\n--- ").append(log.getFileName()).append(" ---\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      }
    } catch (IOException e) {
      tails.append(e);
    }
    return tails.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
