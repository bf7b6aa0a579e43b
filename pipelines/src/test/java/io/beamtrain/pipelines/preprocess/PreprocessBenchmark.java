package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.TfRecordWriter;
import io.beamtrain.trainer.data.TfRecords;
import io.beamtrain.trainer.data.TransformSpec;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark 1 of issue 4: preprocess {@code data/flights-200k.csv} on the DirectRunner, beside a
 * plain single-threaded Java loop that does the same work in the same JVM: parse the CSV with the
 * same reader and validator, split with the same fingerprint, accumulate the same statistics,
 * encode with the trainer's {@code Examples} and write the same GZIP TFRecord shards with {@code
 * TfRecords}. Prints rows/s of both and their ratio; asserts only that both wrote every row.
 *
 * <p>Run: {@code mvn -B -o -Pbenchmarks verify -pl pipelines -am -Dtest=PreprocessBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class PreprocessBenchmark {
  private static final String INPUT = "data/flights-200k.csv";
  private static final String WARM_UP_INPUT = "data/flights-20k.csv";
  private static final String LABEL = "delay";
  private static final int TRAIN_SHARDS = 3;
  private static final int EVAL_SHARDS = 1;
  private static final String[] DIRECT_RUNNER_FLAGS = {
    // As many bundles in flight as there are cores; the checks below re-encode every element
    // to catch buggy DoFns and coders, which the tests do, and are off for a production run.
    "--targetParallelism=" + Runtime.getRuntime().availableProcessors(),
    "--enforceImmutability=false",
    "--enforceEncodability=false",
  };

  @TempDir Path tmp;

  @Test
  void flights200k() throws IOException {
    Path input = findInRepository(INPUT);
    Path warmUp = findInRepository(WARM_UP_INPUT);
    long lines = Files.lines(input).count() - 1;

    // Warm the JIT for both contenders on the small file first.
    loop(warmUp, tmp.resolve("warm-loop"));
    beam(warmUp, tmp.resolve("warm-beam"));

    long loopStart = System.nanoTime();
    long loopCpuStart = processCpuNanos();
    long loopRows = loop(input, tmp.resolve("loop"));
    double loopCpu = (processCpuNanos() - loopCpuStart) / 1e9;
    double loopSeconds = (System.nanoTime() - loopStart) / 1e9;

    long beamStart = System.nanoTime();
    long beamCpuStart = processCpuNanos();
    long beamRows = beam(input, tmp.resolve("beam"));
    double beamCpu = (processCpuNanos() - beamCpuStart) / 1e9;
    double beamSeconds = (System.nanoTime() - beamStart) / 1e9;

    assertEquals(lines, loopRows);
    assertEquals(lines, beamRows);
    double loopRate = loopRows / loopSeconds;
    double beamRate = beamRows / beamSeconds;
    System.out.printf(
        Locale.ROOT,
        "%nPreprocessBenchmark %s (%d rows, %d cores)%n"
            + "  plain Java loop, 1 thread : %6.2f s wall %6.2f s cpu  %,10.0f rows/s%n"
            + "  Beam DirectRunner         : %6.2f s wall %6.2f s cpu  %,10.0f rows/s  (%s)%n"
            + "  ratio Beam / loop rows/s  : %6.2f   (cpu seconds Beam / loop: %.2f)%n"
            + "  system load average at the end: %.1f%n%n",
        INPUT,
        lines,
        Runtime.getRuntime().availableProcessors(),
        loopSeconds,
        loopCpu,
        loopRate,
        beamSeconds,
        beamCpu,
        beamRate,
        String.join(" ", DIRECT_RUNNER_FLAGS),
        beamRate / loopRate,
        beamCpu / loopCpu,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** The whole preprocess pipeline; returns the examples written. */
  static long beam(Path input, Path output) {
    List<String> args = new ArrayList<>(List.of(DIRECT_RUNNER_FLAGS));
    args.add("--input=" + input);
    args.add("--output=" + output);
    args.add("--label=" + LABEL);
    args.add("--trainShards=" + TRAIN_SHARDS);
    args.add("--evalShards=" + EVAL_SHARDS);
    PreprocessPipeline.run(
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .as(PreprocessPipeline.Options.class));
    TransformSpec spec =
        ExampleDataset.open(output.resolve("data").toString(), StorageConfig.defaults()).spec();
    return spec.split().trainExamples() + spec.split().evalExamples();
  }

  /** The same work in one thread without Beam; returns the examples written. */
  static long loop(Path input, Path output) throws IOException {
    PreprocessSettings settings =
        PreprocessSettings.of(input.toString(), output.toString(), LABEL)
            .withShards(TRAIN_SHARDS, EVAL_SHARDS);
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    DataSchema schema = SchemaResolver.resolve(settings);
    RowValidator validator = new RowValidator(schema);
    ExampleEncoder encoder = new ExampleEncoder(schema);
    RowFingerprint fingerprint = new RowFingerprint(settings.splitSeed());
    AnalyzeColumns.StatisticsFn statistics =
        new AnalyzeColumns.StatisticsFn(schema, settings.vocabulary());
    AnalyzeColumns.Accumulator trainStats = statistics.createAccumulator();
    AnalyzeColumns.Accumulator evalStats = statistics.createAccumulator();
    TfRecordWriter[] train = writers(settings, "train", TRAIN_SHARDS);
    TfRecordWriter[] eval = writers(settings, "eval", EVAL_SHARDS);
    long written = 0;
    try (Reader text = Files.newBufferedReader(input, StandardCharsets.UTF_8);
        TableReader reader = InputFormat.CSV.open(input.toString(), text, schema.columnNames())) {
      while (reader.next()) {
        if (reader.problem() != null) {
          continue;
        }
        String[] values = reader.takeValues();
        if (validator.check(values) != null) {
          continue;
        }
        ParsedRow row = ParsedRow.wrap(values);
        boolean toEval =
            RowFingerprint.toUnitInterval(fingerprint.of(row)) < settings.evalFraction();
        statistics.addInput(toEval ? evalStats : trainStats, row);
        TfRecordWriter[] shards = toEval ? eval : train;
        shards[(int) (written % shards.length)].write(encoder.encode(row));
        written++;
      }
    } finally {
      closeAll(train);
      closeAll(eval);
    }
    statistics.extractOutput(trainStats);
    statistics.extractOutput(evalStats);
    return written;
  }

  private static TfRecordWriter[] writers(PreprocessSettings settings, String split, int n) {
    TfRecordWriter[] writers = new TfRecordWriter[n];
    for (int i = 0; i < n; i++) {
      String name = String.format(Locale.ROOT, "%s-%05d-of-%05d.tfrecord.gz", split, i, n);
      writers[i] =
          TfRecords.openWriter(
              StoragePaths.join(settings.dataDir(), name), settings.storageConfig());
    }
    return writers;
  }

  private static void closeAll(TfRecordWriter[] writers) {
    for (TfRecordWriter writer : writers) {
      writer.close();
    }
  }

  /** CPU time of the whole JVM (all threads, JIT and GC included). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Finds {@code relative} in the working directory or one of its parents (the repository). */
  static Path findInRepository(String relative) {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found above " + Paths.get("").toAbsolutePath());
  }
}
