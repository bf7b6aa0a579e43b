package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * The parts that one input file writes for one split: its rows dealt round robin over the
 * split's shards (the file's j-th row of the split to shard {@code j mod shards}), each shard's
 * rows encoded and written to a temporary GZIP TFRecord file under {@code
 * <dataDir>/.temp-beam/} (see {@link BeamTempFiles}).
 *
 * <p>The statistics, encoding and compression run on a JVM-wide pool of one thread per core, in chunks of
 * {@value #CHUNK_ROWS} rows, while the caller goes on parsing: that is where most of the time of
 * a row goes, and a single file is parsed by one thread. A part's chunks run one after another in
 * the order they were dealt (each waits for the one before), so a part's records are in file
 * order; different parts are written at once. The caller passes a {@link Semaphore} that bounds
 * the chunks in flight, so memory stays a few chunks per shard whatever the file's size.
 *
 * <p>Not thread-safe: one caller thread deals the rows.
 */
final class SplitParts {
  /** Rows handed to the pool at a time. */
  static final int CHUNK_ROWS = 1000;

  private static final ExecutorService POOL =
      Executors.newFixedThreadPool(
          Runtime.getRuntime().availableProcessors(),
          new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable task) {
              Thread thread = new Thread(task, "beamtrain-shard-writer-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            }
          });

  private final String split;
  private final int shards;
  private final String tempDir;
  private final ExampleEncoder encoder;
  private final Semaphore inFlight;
  private final AnalyzeColumns.StatisticsFn statistics;
  private final AnalyzeColumns.Accumulator accumulator;
  private final List<Part> parts = new ArrayList<>();
  private List<ParsedRow> uncounted = new ArrayList<>(CHUNK_ROWS);
  private CompletableFuture<Void> counted = CompletableFuture.completedFuture(null);
  private int next;

  /**
   * Parts of {@code split} with {@code shards} shards under {@code dataDir}; every row is also
   * added to {@code accumulator}, in the order of {@link #add} (so the statistics are those of one
   * sequential pass), on the pool too. The accumulator is complete once {@link #finish} returns.
   */
  SplitParts(
      String split,
      int shards,
      String dataDir,
      ExampleEncoder encoder,
      Semaphore inFlight,
      AnalyzeColumns.StatisticsFn statistics,
      AnalyzeColumns.Accumulator accumulator) {
    this.split = split;
    this.shards = shards;
    this.tempDir = StoragePaths.join(dataDir, BeamTempFiles.DIRECTORY);
    this.encoder = encoder;
    this.inFlight = inFlight;
    this.statistics = statistics;
    this.accumulator = accumulator;
  }

  /** Permits of the {@link Semaphore} that a split of {@code shards} shards should be given. */
  static int chunksInFlight(int shards) {
    // Two chunks per chain (shards, statistics): one being written, one waiting.
    return 2 * (shards + 1);
  }

  /** Deals {@code row} to the next shard; may wait for a chunk in flight to finish. */
  void add(ParsedRow row) {
    uncounted.add(row);
    if (uncounted.size() >= CHUNK_ROWS) {
      count();
    }
    if (parts.isEmpty()) {
      for (int shard = 0; shard < shards; shard++) {
        parts.add(new Part(shard));
      }
    }
    Part part = parts.get(next);
    part.rows.add(row);
    if (part.rows.size() >= CHUNK_ROWS) {
      part.submit();
    }
    next = (next + 1) % shards;
  }

  /**
   * Writes what is left, waits for every part and closes them. Returns the parts, none when the
   * file had no row of this split. A failure of any part is rethrown here.
   */
  List<ShardPart> finish(String source) throws IOException {
    count();
    await(counted);
    for (Part part : parts) {
      part.submit();
      part.tail = part.tail.thenRunAsync(part::close, POOL);
    }
    List<ShardPart> written = new ArrayList<>(parts.size());
    for (Part part : parts) {
      await(part.tail);
      written.add(new ShardPart(split, part.shard, shards, source, part.path));
    }
    return written;
  }

  /** After a failure: waits for the parts still being written, then deletes them. */
  void abort() {
    counted.handle((ignored, failure) -> null).join();
    List<ResourceId> files = new ArrayList<>();
    for (Part part : parts) {
      part.tail.handle((ignored, failure) -> null).join();
      part.closeQuietly();
      files.add(FileSystems.matchNewResource(part.path, false));
    }
    try {
      FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      // The next run over this output removes leftovers (BeamTempFiles); the first failure matters.
      org.slf4j.LoggerFactory.getLogger(SplitParts.class)
          .debug("cannot delete the parts of a failed file: {}", e.toString());
    }
  }

  /** Hands the rows not yet added to the statistics to the pool, after the chunks before. */
  private void count() {
    if (uncounted.isEmpty()) {
      return;
    }
    List<ParsedRow> chunk = uncounted;
    uncounted = new ArrayList<>(CHUNK_ROWS);
    inFlight.acquireUninterruptibly();
    counted =
        counted.thenRunAsync(
            () -> {
              for (ParsedRow row : chunk) {
                statistics.addInput(accumulator, row);
              }
            },
            POOL);
    counted.whenComplete((ignored, failure) -> inFlight.release());
  }

  private static void await(CompletableFuture<Void> future) throws IOException {
    try {
      future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException io) {
        throw new IOException(io.getMessage(), io.getCause());
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException(cause);
    }
  }

  /** One shard's part: the rows not yet handed over, and the chain of its writes. */
  private final class Part {
    final int shard;
    final String path = StoragePaths.join(tempDir, UUID.randomUUID().toString());
    List<ParsedRow> rows = new ArrayList<>(CHUNK_ROWS);
    CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private GzipTfRecordFile file; // touched only by the chain's tasks, one at a time

    Part(int shard) {
      this.shard = shard;
    }

    void submit() {
      if (rows.isEmpty()) {
        return;
      }
      List<ParsedRow> chunk = rows;
      rows = new ArrayList<>(CHUNK_ROWS);
      inFlight.acquireUninterruptibly();
      tail = tail.thenRunAsync(() -> write(chunk), POOL);
      tail.whenComplete((ignored, failure) -> inFlight.release());
    }

    private void write(List<ParsedRow> chunk) {
      try {
        open();
        for (ParsedRow row : chunk) {
          file.write(encoder.encode(row));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(path + ": " + e.getMessage(), e);
      }
    }

    private void open() throws IOException {
      if (file == null) {
        file = GzipTfRecordFile.create(path);
      }
    }

    /** Closes the part, creating it first when no row was dealt to it (an empty shard). */
    void close() {
      try {
        open();
        GzipTfRecordFile closing = file;
        file = null;
        closing.close();
      } catch (IOException e) {
        throw new UncheckedIOException(path + ": " + e.getMessage(), e);
      }
    }

    void closeQuietly() {
      if (file != null) {
        try {
          file.close();
        } catch (IOException e) {
          org.slf4j.LoggerFactory.getLogger(SplitParts.class)
              .debug("cannot close {} after a failure: {}", path, e.toString());
        }
        file = null;
      }
    }
  }
}
