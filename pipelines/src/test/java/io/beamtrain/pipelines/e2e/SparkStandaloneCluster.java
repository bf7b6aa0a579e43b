package io.beamtrain.pipelines.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: one Master and N Workers, each its own JVM
 * started from Spark's classpath (spark-runtime/target/classpath.txt) the way {@code
 * sbin/start-master.sh} and {@code sbin/start-worker.sh} start them. The Workers start executors
 * from a Spark home whose {@code jars/} links to that classpath, as a Spark distribution's does,
 * and whose {@code conf/} holds the executors' logging.
 * Every server binds to 127.0.0.1 ({@code SPARK_LOCAL_IP}); executors extract JavaCPP's natives
 * into the cluster directory, not {@code ~/.javacpp}. {@link #close} stops every process it
 * started (and the executors under them) by process id.
 */
final class SparkStandaloneCluster implements AutoCloseable {
  /** What Spark needs opened on Java 17 (the launcher passes the same to the driver). */
  static final List<String> ADD_OPENS = List.of(
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path dir;
  private final Path sparkHome;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> workerDirs = new ArrayList<>();
  private int masterPort;
  private int masterUi;
  private int workers;

  private SparkStandaloneCluster(Path dir) {
    this.dir = dir;
    this.sparkHome = dir.resolve("spark-home");
  }

  /**
   * Starts a Master and {@code workers} Workers with {@code cores} cores each under {@code dir},
   * without waiting for them ({@link #awaitWorkers}): the caller can do other work while they
   * boot. The executors extract TensorFlow's natives into {@code nativeCache} (JavaCPP locks it,
   * so one machine's JVMs can share it and extract once), not {@code ~/.javacpp}.
   */
  static SparkStandaloneCluster start(Path dir, List<Path> sparkClasspath, int workers, int cores,
      Path nativeCache) throws IOException, InterruptedException {
    SparkStandaloneCluster cluster = new SparkStandaloneCluster(dir);
    try {
      cluster.linkJars(sparkClasspath);
      cluster.writeExecutorLogging();
      cluster.workers = workers;
      cluster.masterPort = freePort();
      cluster.masterUi = freePort();
      cluster.launch("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", String.valueOf(cluster.masterPort), "--webui-port", String.valueOf(cluster.masterUi)), Map.of());
      for (int i = 1; i <= workers; i++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + i));
        cluster.workerDirs.add(work);
        cluster.launch("worker-" + i, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()),
                "--cores", String.valueOf(cores), "--memory", "2g", "--work-dir", work.toString(),
                cluster.masterUrl()),
            // Inherited by the executors the Worker forks.
            Map.of("JDK_JAVA_OPTIONS", "-Dorg.bytedeco.javacpp.cachedir=" + nativeCache));
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Waits until every Worker has registered with the Master (its REST UI's {@code aliveworkers}). */
  void awaitWorkers() throws IOException, InterruptedException {
    awaitAliveWorkers(masterUi, workers);
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The Spark home the Workers start executors from ({@code jars/} is Spark's classpath). */
  Path sparkHome() {
    return sparkHome;
  }

  /** The process ids of the Master, the Workers and whatever runs under them now (executors). */
  List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    for (Process process : processes) {
      pids.add(process.pid());
      process.descendants().forEach(child -> pids.add(child.pid()));
    }
    return pids;
  }

  /** Spark's classpath as a {@code java -cp} argument. */
  String classpath() {
    return sparkHome.resolve("jars") + "/*";
  }

  /** Each Worker's work directory: {@code app-*}/{@code <executor>}/{@code stderr} per executor. */
  List<Path> workerDirs() {
    return List.copyOf(workerDirs);
  }

  /** The environment every Spark JVM on this cluster (and a driver for it) runs with. */
  static void sparkEnvironment(Map<String, String> env, Path sparkHome) {
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_SCALA_VERSION", "2.12");
  }

  private void linkJars(List<Path> classpath) throws IOException {
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (Path jar : classpath) {
      Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
    }
  }

  /**
   * {@code conf/log4j2.properties}, which a Worker puts on its executors' classpath: Spark's
   * default console logging plus TrialExecutor's debug line where a trial starts (which executor
   * trained it, and how many trials that executor trains at once).
   */
  private void writeExecutorLogging() throws IOException {
    Path conf = Files.createDirectories(sparkHome.resolve("conf"));
    Files.writeString(conf.resolve("log4j2.properties"), String.join("\n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.stderr.ref = console",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.target = SYSTEM_ERR",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex",
        "logger.trials.name = io.beamtrain.pipelines.sweep.TrialExecutor",
        "logger.trials.level = debug",
        ""));
  }

  private void launch(String name, List<String> mainAndArgs, Map<String, String> extraEnv) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx512m"));
    command.addAll(ADD_OPENS);
    command.add("-cp");
    command.add(classpath());
    command.addAll(mainAndArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    sparkEnvironment(builder.environment(), sparkHome);
    builder.environment().putAll(extraEnv);
    processes.add(builder.start());
  }

  private void awaitAliveWorkers(int masterUi, int workers) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUi + "/json/")).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Process process : processes) {
        if (!process.isAlive()) {
          throw new IllegalStateException("a Spark process exited with " + process.exitValue() + ": " + logs());
        }
      }
      try {
        JsonNode state = new ObjectMapper().readTree(
            http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        if (state.path("aliveworkers").asInt() >= workers) {
          return;
        }
      } catch (IOException notUpYet) {
        // The Master's UI is not listening yet.
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("Spark cluster not up in " + START_TIMEOUT + ": " + logs());
  }

  /** The tails of the Master's and Workers' logs, for failure messages. */
  String logs() {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        out.append("\n--- ").append(log.getFileName()).append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Stops the Workers' executors, the Workers and the Master, by process id, and waits for them. */
  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      ProcessHandle handle = processes.get(i).toHandle();
      handle.descendants().forEach(ProcessHandle::destroy);
      handle.destroy();
    }
    for (Process process : processes) {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
      }
    }
  }
}
