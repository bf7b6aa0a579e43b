package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.CheckpointManagerOptions.SnapshotMode;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.testing.GcsTestServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * Save and restore throughput of {@link CheckpointManager} for models of 1, 64 and 256 MB of
 * variables, to local disk and to the in-process GCS test server, beside the raw sequential write
 * speed of the same disk measured in the same run (the same byte count through a {@link
 * FileChannel}, then {@code force}). Also the time an async {@code save} blocks, as a fraction of
 * a synchronous save. Prints a table; asserts nothing about time.
 *
 * <p>A local save is durable when it returns: {@link io.beamtrain.checkpointing.storage.LocalStorage}
 * fsyncs every file before its rename and the directory after, so save/raw compares like with
 * like (the raw baseline forces too, once, with no rename and no directory).
 *
 * <p>{@code async s} is the default {@link SnapshotMode#IN_GRAPH} (shadow variables, one run of
 * {@code Assign} ops), {@code copy s} the {@link SnapshotMode#COPY} baseline (fetch, then copy into
 * pooled Java-owned buffers) in the same run. {@link #asyncSaveBlockingBreakdown} measures both,
 * the fetch alone and a durable synchronous save interleaved at the largest size.
 *
 * <p>Run: {@code mvn -B -o -Pbenchmarks verify -pl checkpointing -am -Dtest=CheckpointBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; {@code -Dbeamtrain.checkpoint.sizesMb=256} measures
 * only those sizes, {@code -Dbeamtrain.checkpoint.gcs=false} skips the GCS test server.
 */
@Tag("benchmark")
class CheckpointBenchmark {
  private static final int[] SIZES_MB =
      Arrays.stream(System.getProperty("beamtrain.checkpoint.sizesMb", "1,64,256").split(","))
          .mapToInt(size -> Integer.parseInt(size.strip()))
          .toArray();
  private static final boolean GCS = Boolean.parseBoolean(System.getProperty("beamtrain.checkpoint.gcs", "true"));
  private static final int VARIABLES = 4;

  @TempDir Path tmp;

  @Test
  void saveAndRestoreThroughput() throws IOException {
    List<String> rows = new ArrayList<>();
    try (GcsTestServer server = GcsTestServer.start()) {
      server.createBucket("bench");
      StorageConfig gcs = server.storageConfig();
      for (int mb : SIZES_MB) {
        int reps = mb <= 1 ? 5 : 3;
        long bytes = (long) mb << 20;
        double raw = median(reps, () -> rawWriteSeconds(tmp.resolve("raw-" + mb), bytes));
        try (BigModel model = new BigModel(bytes)) {
          Path local = tmp.resolve("local-" + mb);
          Result localSync = measure(model, local.toString(), StorageConfig.defaults(), false, reps);
          Result localAsync = measure(model, tmp.resolve("async-" + mb).toString(), StorageConfig.defaults(), true, reps);
          Result localCopy = measure(model, tmp.resolve("copy-" + mb).toString(), StorageConfig.defaults(),
              true, SnapshotMode.COPY, reps);
          rows.add(row(mb, "local", raw, localSync, localAsync, localCopy));
          if (GCS) {
            Result gcsSync = measure(model, "gs://bench/sync-" + mb, gcs, false, reps);
            Result gcsAsync = measure(model, "gs://bench/async-" + mb, gcs, true, reps);
            Result gcsCopy = measure(model, "gs://bench/copy-" + mb, gcs, true, SnapshotMode.COPY, reps);
            rows.add(row(mb, "gcs-test-server", raw, gcsSync, gcsAsync, gcsCopy));
          }
        }
        deleteTree(tmp);
        Files.createDirectories(tmp);
      }
    }
    System.out.println();
    System.out.println("CheckpointBenchmark (medians; MB = 2^20 bytes of variables; raw = FileChannel write + force of the same bytes on the same disk;"
        + " a local save fsyncs each file before its rename and the directory after)");
    System.out.printf("%-6s %-16s %10s %10s %10s %12s %12s %12s %10s %12s %10s %12s%n",
        "size", "target", "raw MB/s", "raw s", "save s", "save MB/s", "save/raw", "restore MB/s", "async s", "async/sync",
        "copy s", "copy/sync");
    rows.forEach(System.out::println);
  }

  /**
   * What an async save blocks for at the largest size, interleaved rep by rep so that load on the
   * machine hits every figure alike: {@code save} in each {@link SnapshotMode}, the fetch alone
   * (what COPY does before its copy), and a durable synchronous save.
   */
  @Test
  void asyncSaveBlockingBreakdown() {
    int mb = Arrays.stream(SIZES_MB).max().orElseThrow();
    long bytes = (long) mb << 20;
    int reps = 7;
    String[] names = {
      "async save(), IN_GRAPH", "async save(), COPY", "  of which fetch (no copy)", "sync save (durable)"};
    double[][] seconds = new double[names.length][reps];
    try (BigModel model = new BigModel(bytes);
        CheckpointManager inGraph = open(model, "in-graph", true, SnapshotMode.IN_GRAPH);
        CheckpointManager copy = open(model, "copy", true, SnapshotMode.COPY);
        CheckpointManager sync = open(model, "sync", false, SnapshotMode.COPY)) {
      Runnable[] runs = {
        () -> inGraph.save(model.session, 1, Map.of()),
        () -> copy.save(model.session, 1, Map.of()),
        () -> {
          Session.Runner runner = model.session.runner();
          model.saver.variables().forEach(v -> runner.fetch(v.valueTensorName()));
          runner.run().close();
        },
        () -> sync.save(model.session, 1, Map.of()),
      };
      for (int i = -1; i < reps; i++) { // -1: warm-up (buffers and shadows allocated, executors built)
        for (int k = 0; k < runs.length; k++) {
          long start = System.nanoTime();
          runs[k].run();
          double elapsed = (System.nanoTime() - start) / 1e9;
          if (i >= 0) {
            seconds[k][i] = elapsed;
          }
          inGraph.flush(); // a background write never overlaps a measurement
          copy.flush();
        }
      }
    }
    double syncSave = median(seconds[names.length - 1]);
    System.out.println();
    System.out.printf("Async save blocking at %dMB, local disk (medians of %d, interleaved; %% of the durable sync save"
        + " in the same run; GB/s = variable bytes / time)%n", mb, reps);
    System.out.printf("%-30s %10s %10s %10s%n", "", "s", "% sync", "GB/s");
    for (int k = 0; k < names.length; k++) {
      double m = median(seconds[k]);
      System.out.printf("%-30s %10.4f %9.1f%% %10.2f%n", names[k], m, 100 * m / syncSave, bytes / m / 1e9);
    }
  }

  private CheckpointManager open(BigModel model, String dir, boolean async, SnapshotMode mode) {
    return CheckpointManager.open(tmp.resolve(dir).toString(), model.saver, model.graph,
        CheckpointManagerOptions.builder()
            .maxToKeep(2)
            .async(async)
            .snapshotMode(mode)
            .stagingDirectory(tmp.resolve("staging"))
            .build(),
        StorageConfig.defaults());
  }

  private static String row(int mb, String target, double raw, Result sync, Result async, Result copy) {
    return String.format("%-6s %-16s %10.1f %10.3f %10.3f %12.1f %12.2f %12.1f %10.4f %11.1f%% %10.4f %11.1f%%",
        mb + "MB", target, mb / raw, raw, sync.save, mb / sync.save, sync.save / raw,
        mb / sync.restore, async.save, 100 * async.save / sync.save, copy.save, 100 * copy.save / sync.save);
  }

  private record Result(double save, double restore) {}

  /** Median seconds of {@code reps} saves (each a new step, max_to_keep 2) and of restores. */
  private Result measure(BigModel model, String dir, StorageConfig config, boolean async, int reps) {
    return measure(model, dir, config, async, SnapshotMode.IN_GRAPH, reps);
  }

  private Result measure(
      BigModel model, String dir, StorageConfig config, boolean async, SnapshotMode mode, int reps) {
    CheckpointManagerOptions options =
        CheckpointManagerOptions.builder()
            .maxToKeep(2)
            .async(async)
            .snapshotMode(mode)
            .stagingDirectory(tmp.resolve("staging"))
            .build();
    double[] saves = new double[reps];
    double[] restores = new double[reps];
    try (CheckpointManager manager = CheckpointManager.open(dir, model.saver, model.graph, options, config)) {
      manager.save(model.session, 0, Map.of()); // warm-up
      manager.flush();
      for (int i = 0; i < reps; i++) {
        long start = System.nanoTime();
        manager.save(model.session, i + 1, Map.of());
        saves[i] = (System.nanoTime() - start) / 1e9;
        manager.flush(); // async: measure only the blocking part, then let the upload finish
      }
      for (int i = 0; i < reps; i++) {
        long start = System.nanoTime();
        manager.restore(model.session);
        restores[i] = (System.nanoTime() - start) / 1e9;
      }
    }
    return new Result(median(saves), median(restores));
  }

  private static double rawWriteSeconds(Path file, long bytes) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
    byte[] pattern = new byte[buffer.capacity()];
    Arrays.fill(pattern, (byte) 0x5a);
    long start = System.nanoTime();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long written = 0;
      while (written < bytes) {
        buffer.clear();
        buffer.put(pattern, 0, (int) Math.min(pattern.length, bytes - written));
        buffer.flip();
        while (buffer.hasRemaining()) {
          written += channel.write(buffer);
        }
      }
      channel.force(true);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return seconds;
  }

  private static double median(int reps, Supplier<Double> run) {
    double[] values = new double[reps];
    for (int i = 0; i < reps; i++) {
      values[i] = run.get();
    }
    return median(values);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static void deleteTree(Path dir) throws IOException {
    LocalCopy.deleteRecursively(dir);
  }

  /** {@value #VARIABLES} float variables (VariableV2, as {@code Ops.variable} makes) of the given total size. */
  private static final class BigModel implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session;
    final SaverGraph saver;

    BigModel(long bytes) {
      Ops tf = Ops.create(graph);
      long floats = bytes / 4 / VARIABLES;
      for (int i = 0; i < VARIABLES; i++) {
        tf.withName("weights_" + i).variable(tf.fill(tf.constant(new long[] {floats}), tf.constant(0.25f * i)));
      }
      saver = SaverGraph.build(graph);
      session = new Session(graph);
      session.initialize();
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
