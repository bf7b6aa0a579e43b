package io.beamtrain.pipelines.testing;

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
 * The GCS test server in a JVM of its own, as a cluster test needs it: the storage every worker
 * process and the launcher reach over HTTP, not an object in the test's JVM. The test talks to it
 * through beamtrain's own {@link Storage} for {@code gs://} paths, as the workers do.
 *
 * <p>The child ({@link #main}) creates the buckets it is given, prints {@code endpoint=<url>} and
 * serves until its standard input closes, so it ends with the test JVM even when that one dies.
 */
public final class GcsTestServerProcess implements AutoCloseable {
  private static final String ENDPOINT = "endpoint=";

  private final Process process;
  private final String endpoint;
  private final StorageConfig config;

  private GcsTestServerProcess(Process process, String endpoint) {
    this.process = process;
    this.endpoint = endpoint;
    this.config = StorageConfig.forEndpoint(endpoint);
  }

  /** Starts the server with {@code buckets}, on this JVM's class path; its output goes to {@code log}. */
  public static GcsTestServerProcess start(Path log, String... buckets) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), GcsTestServerProcess.class.getName()));
    command.addAll(List.of(buckets));
    Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith(ENDPOINT)) {
      process.destroyForcibly();
      throw new IllegalStateException("the GCS test server did not start: " + line + "\n" + Files.readString(log));
    }
    return new GcsTestServerProcess(process, line.substring(ENDPOINT.length()));
  }

  /** The server's API root, for {@code --gcsEndpoint}. */
  public String endpoint() {
    return endpoint;
  }

  /** The server process, e.g. to check that it is a process of its own. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  public void write(String gsPath, byte[] data) {
    storage(gsPath).writeBytes(gsPath, data);
  }

  public String read(String gsPath) {
    return new String(storage(gsPath).readBytes(gsPath), StandardCharsets.UTF_8);
  }

  private Storage storage(String gsPath) {
    return Storages.forPath(gsPath, config);
  }

  /** Closes the server's standard input (it exits) and waits; kills it after 10 s. */
  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The child: {@code GcsTestServerProcess bucket...}. */
  public static void main(String[] args) throws IOException {
    try (GcsTestServer server = GcsTestServer.start()) {
      for (String bucket : args) {
        server.createBucket(bucket);
      }
      System.out.println(ENDPOINT + server.endpoint());
      System.out.flush();
      // Serves until the parent closes our stdin (or dies, which closes it too).
      while (System.in.read() >= 0) {
        // Nothing is expected on stdin; reading is only how the end of the parent shows.
      }
    }
  }
}
