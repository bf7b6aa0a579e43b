package io.beamtrain.pipelines.e2e;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The GCS test server in a JVM of its own, as cluster tests need it: the drivers, executors and
 * this test all reach it over HTTP on 127.0.0.1, as they would reach Google's, and none of them
 * shares its memory. {@link #main} is that JVM (it prints the endpoint, then serves until its
 * standard input closes or it is stopped); {@link #start} launches it from this JVM's classpath
 * and {@link #close} stops it by pid. Objects are read and written through beamtrain's own GCS
 * storage, {@link #storage()}.
 */
final class GcsServerProcess implements AutoCloseable {
  private static final String READY = "gcs-test-server listening on ";

  private final Process process;
  private final String endpoint;

  private GcsServerProcess(Process process, String endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  /** Starts the server JVM with {@code buckets} created; its output goes to {@code log}. */
  static GcsServerProcess start(Path log, String... buckets) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), GcsServerProcess.class.getName()));
    command.addAll(List.of(buckets));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.startsWith(READY)) {
          return new GcsServerProcess(process, line.substring(READY.length()).trim());
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(200);
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    throw new IllegalStateException("the GCS test server did not start: " + Files.readString(log));
  }

  /** {@code http://127.0.0.1:PORT}, for {@code --gcsEndpoint}. */
  String endpoint() {
    return endpoint;
  }

  /** beamtrain's GCS storage on this server (no credentials). */
  Storage storage() {
    return Storages.forPath("gs://", StorageConfig.forEndpoint(endpoint));
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The server JVM: {@code GcsServerProcess bucket...}. */
  public static void main(String[] args) throws IOException {
    try (GcsTestServer server = GcsTestServer.start()) {
      for (String bucket : args) {
        server.createBucket(bucket);
      }
      System.out.println(READY + server.endpoint());
      System.out.flush();
      // Serve until the test closes our standard input (or stops us by pid).
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // Nothing to read: the input only tells us when the test is gone.
      }
    }
  }
}
