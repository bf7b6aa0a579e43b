package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.study.Studies;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecWriter;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TransformSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark 2 of issue 4: 8 trials on penguins as a sweep on the DirectRunner (trials in
 * parallel, TF threads = cores / concurrent trials) beside the same 8 trials run one after another
 * in a plain Java loop with TensorFlow using every core. The loop is timed twice: training only,
 * and training plus what the sweep also delivers (results.jsonl/csv and the export of the best
 * trial, with the same classes and no Beam). Prints wall times and the ratio sweep / loop (target
 * &le; 1.0), for the built-in study's budget (600 steps per trial) and for a longer one, and the
 * sweep's time before its first trial started and after its last one ended and how many trials
 * trained at once on average in between (the sum of the trials' own times over that span):
 * medians of {@value #REPEATS} runs, loop and sweep alternating in order. Every run trains from
 * scratch in its own directory; TensorFlow is loaded by a warm-up trial first. The load average of
 * the machine is printed before and after: the figures mean little on a busy machine.
 *
 * <p>The test JVM gives every TensorFlow session its own intra-op pool
 * ({@code TF_OVERRIDE_GLOBAL_THREADPOOL}, pipelines/pom.xml), so the loop's trials and the sweep's
 * run on the threads each asks for, as they would in separate {@code beamtrain} processes; with
 * TensorFlow's default process-wide pool the warm-up trial would size it for everything after.
 *
 * <p>{@link #fourTrialsBesideOneOnALargeDataSet} (issue 15) compares a 4-trial sweep with a
 * 1-trial one on 200k, 2M and 10M rows, where loading the data is most of a short trial.
 *
 * <p>{@code mvn -Pbenchmarks verify -pl pipelines -am -Dtest=SweepBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class SweepBenchmark {
  /** A budget where training outweighs start-up, beside the built-in study's own. */
  private static final int LONG_BUDGET = 3000;
  /** Runs per budget and variant; medians are reported. */
  private static final int REPEATS = 3;

  @TempDir Path tmp;

  @Test
  void eightTrialSweepBesideASequentialLoop() throws Exception {
    String input = PenguinsData.writeCsv(tmp.resolve("input").toString(), StorageConfig.defaults());
    OutputLayout data = new OutputLayout(tmp.resolve("data-root").toString());
    PenguinsData.preprocess(input, data.root(), StorageConfig.defaults());
    StudySpec defaults = Studies.defaultStudy();

    OutputLayout warm = new OutputLayout(tmp.resolve("warm").toString());
    copyData(data, warm);
    new TrialExecutor(new TrialSettings(warm, warm.data(), defaults.metric(), 50, 50, 50, 0, 1, 1,
        StorageConfig.defaults(), false)).execute(defaults.trials().get(0));

    int cores = Runtime.getRuntime().availableProcessors();
    String loadBefore = loadAverage();
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "%nSweepBenchmark: 8 trials of the built-in study on penguins, %d cores, DirectRunner, "
            + "median of %d alternating runs%n%6s | %10s %14s | %10s %8s %8s %8s | %6s %6s%n",
        cores, REPEATS, "steps", "loop train", "loop +export", "sweep", "before", "after", "at once",
        "ratio", "ratio+"));
    for (int steps : new int[] {defaults.trainSteps(), LONG_BUDGET}) {
      StudySpec study = defaults.withBudget(steps, defaults.evalEverySteps(), defaults.checkpointEverySteps());
      List<double[]> loops = new ArrayList<>();
      List<double[]> sweeps = new ArrayList<>();
      for (int repeat = 0; repeat < REPEATS; repeat++) {
        // Alternate which goes first, so a load change on the machine hits both alike.
        if (repeat % 2 == 0) {
          loops.add(timeLoop(study, data, "loop-" + steps + "-" + repeat));
          sweeps.add(timeSweep(study, data, "sweep-" + steps + "-" + repeat));
        } else {
          sweeps.add(timeSweep(study, data, "sweep-" + steps + "-" + repeat));
          loops.add(timeLoop(study, data, "loop-" + steps + "-" + repeat));
        }
      }
      double loopTrain = median(loops, 0);
      double loopAll = median(loops, 1);
      double sweep = median(sweeps, 0);
      report.append(String.format(Locale.ROOT, "%6d | %9.1fs %13.1fs | %9.1fs %7.1fs %7.1fs %8.2f | %6.2f %6.2f%n",
          steps, loopTrain, loopAll, sweep, median(sweeps, 1), median(sweeps, 2), median(sweeps, 3),
          sweep / loopTrain, sweep / loopAll));
    }
    report.append("ratio = sweep / loop train; ratio+ = sweep / (loop train + results + export); "
        + "before/after = sweep time before its first trial started / after its last ended; "
        + "at once = trials training at once on average in between\n");
    report.append("load average (1, 5, 15 min): before ").append(loadBefore)
        .append(", after ").append(loadAverage()).append('\n');
    System.out.print(report);
  }

  /**
   * Copies of flights-200k in the data sets of the 4-vs-1 comparison: 200k, 2M and 10M rows
   * ({@code -Dbeamtrain.sweep.flightsCopies=1,10} for fewer; 10M takes minutes per sweep on 2
   * shared cores).
   */
  private static final int[] FLIGHTS_COPIES =
      java.util.Arrays.stream(System.getProperty("beamtrain.sweep.flightsCopies", "1,10,50").split(","))
          .mapToInt(copies -> Integer.parseInt(copies.strip()))
          .toArray();
  /** Steps per trial of the data-loading comparison: training a small share beside the loading. */
  private static final int LOADING_STEPS = 500;

  /**
   * Issue 15, the sweep half of the scale benchmark: a 4-trial sweep beside a 1-trial sweep of the
   * same steps per trial, on flights-200k repeated 1, 10 and 50 times ({@link #FLIGHTS_COPIES}):
   * transform.json lists every shard that many times (hard links under new names), so the trainer
   * reads 200k, 2M or 10M rows. With each trial loading its own copy, 4 trials pay 4 loads and
   * canonical sorts; with the worker's shared splits they pay one. Prints, per size, the load and
   * sort time of the two splits (what a trial pays before its first step without sharing), both
   * sweeps' wall times and the ratio 4 / 1 (target &le; 1.3), medians of {@value #REPEATS}
   * alternating runs.
   */
  @Test
  void fourTrialsBesideOneOnALargeDataSet() throws Exception {
    OutputLayout flights = new OutputLayout(tmp.resolve("flights").toString());
    Path input = findInRepository("data/flights-200k.csv");
    PreprocessPipeline.run(PipelineOptionsFactory.fromArgs(
            "--input=" + input, "--output=" + flights.root(), "--label=delay",
            "--targetParallelism=" + Runtime.getRuntime().availableProcessors())
        .as(PreprocessPipeline.Options.class));
    String loadBefore = loadAverage();
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "%nSweepBenchmark: 4 trials vs 1 trial, %d steps each (linear, batch 64), flights-200k repeated, "
            + "%d cores, DirectRunner, median of %d alternating runs%n%12s %8s | %10s | %8s %8s | %6s | %s%n",
        LOADING_STEPS, Runtime.getRuntime().availableProcessors(), REPEATS, "rows", "copies", "load once",
        "1 trial", "4 trials", "4 / 1", "runs (1; 4)"));
    for (int copies : FLIGHTS_COPIES) {
      OutputLayout data = new OutputLayout(tmp.resolve("flights-x" + copies).toString());
      copyData(flights, data);
      long rows = repeatedFlights(data, copies);
      double loadSeconds = loadAndSortSeconds(data);
      List<Double> ones = new ArrayList<>();
      List<Double> fours = new ArrayList<>();
      for (int repeat = 0; repeat < REPEATS; repeat++) {
        if (repeat % 2 == 0) {
          ones.add(timeFlightsSweep(data, 1, "one-x" + copies + "-" + repeat));
          fours.add(timeFlightsSweep(data, 4, "four-x" + copies + "-" + repeat));
        } else {
          fours.add(timeFlightsSweep(data, 4, "four-x" + copies + "-" + repeat));
          ones.add(timeFlightsSweep(data, 1, "one-x" + copies + "-" + repeat));
        }
      }
      double one = ones.stream().sorted().toList().get(REPEATS / 2);
      double four = fours.stream().sorted().toList().get(REPEATS / 2);
      report.append(String.format(Locale.ROOT, "%,12d %8d | %9.1fs | %7.1fs %7.1fs | %6.2f | %s; %s%n",
          rows, copies, loadSeconds, one, four, four / one, format(ones), format(fours)));
      deleteTree(Path.of(data.root()));
    }
    report.append("load once = load + canonical sort of train and eval in this JVM; 4 / 1 target <= 1.3\n");
    report.append("load average (1, 5, 15 min): before ").append(loadBefore)
        .append(", after ").append(loadAverage()).append('\n');
    System.out.print(report);
  }

  /** Seconds to load and canonically sort both splits of {@code data}, the copy dropped after. */
  private static double loadAndSortSeconds(OutputLayout data) {
    long start = System.nanoTime();
    ExampleDataset dataset = ExampleDataset.open(data.data(), StorageConfig.defaults());
    dataset.load(Split.TRAIN).inCanonicalOrder();
    dataset.load(Split.EVAL).inCanonicalOrder();
    return seconds(start);
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A sweep of {@code trials} linear trials on {@code data}; its wall seconds. */
  private double timeFlightsSweep(OutputLayout data, int trials, String name) throws Exception {
    OutputLayout sweep = new OutputLayout(tmp.resolve(name).toString());
    copyData(data, sweep);
    Path studyFile = tmp.resolve(name + ".yaml");
    Files.writeString(studyFile, String.format(Locale.ROOT, """
        metric: {name: eval_rmse, goal: MINIMIZE}
        algorithm: RANDOM
        maxTrials: %d
        seed: 3
        trainSteps: %d
        evalEverySteps: %d
        checkpointEverySteps: %d
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.05, scale: LOG}
        fixed: {model: linear, batch_size: 64}
        """, trials, LOADING_STEPS, LOADING_STEPS, LOADING_STEPS));
    SweepPipeline.Options options = PipelineOptionsFactory.fromArgs(
            "--output=" + sweep.root(), "--study=" + studyFile, "--progressEverySeconds=0")
        .withValidation().as(SweepPipeline.Options.class);
    long start = System.nanoTime();
    SweepPipeline.run(options);
    return seconds(start);
  }

  /**
   * Makes the preprocessed flights-200k in {@code layout} {@code copies} times as large: each
   * shard hard-linked under new names and listed in transform.json, the example counts
   * multiplied (the analyzer results of repeated rows are the same). Returns the rows.
   */
  private long repeatedFlights(OutputLayout layout, int copies) throws Exception {
    Path dir = Path.of(layout.data());
    Path transform = dir.resolve(TransformSpec.FILE_NAME);
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(transform.toFile());
    ObjectNode split = (ObjectNode) root.path("split");
    for (String prefix : new String[] {"train", "eval"}) {
      ArrayNode files = (ArrayNode) split.path(prefix + "_files");
      List<String> originals = new ArrayList<>();
      files.forEach(f -> originals.add(f.asText()));
      files.removeAll();
      int shards = originals.size() * copies;
      int index = 0;
      for (int copy = 0; copy < copies; copy++) {
        for (String original : originals) {
          String name = String.format(Locale.ROOT, "%s-%05d-of-%05d.tfrecord.gz", prefix, index++, shards);
          Path target = dir.resolve(name);
          if (!name.equals(original)) {
            Files.deleteIfExists(target);
            Files.createLink(target, dir.resolve(original));
          }
          files.add(name);
        }
      }
      Set<String> listed = new HashSet<>();
      files.forEach(f -> listed.add(f.asText()));
      for (String original : originals) {
        if (!listed.contains(original)) {
          Files.delete(dir.resolve(original));
        }
      }
      split.put(prefix + "_examples", split.path(prefix + "_examples").asLong() * copies);
    }
    json.writerWithDefaultPrettyPrinter().writeValue(transform.toFile(), root);
    return split.path("train_examples").asLong() + split.path("eval_examples").asLong();
  }

  private static Path findInRepository(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }

  private static String format(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList().toString();
  }

  /** The loop: {train seconds, train + results + export seconds}. */
  private double[] timeLoop(StudySpec study, OutputLayout data, String name) throws Exception {
    List<Trial> trials = study.trials();
    OutputLayout loop = new OutputLayout(tmp.resolve(name).toString());
    copyData(data, loop);
    TrialExecutor sequential = new TrialExecutor(TrialSettings.of(study, loop, 1, trials.size(),
        StorageConfig.defaults()));
    long start = System.nanoTime();
    List<TrialResult> results = new ArrayList<>();
    for (Trial trial : trials) {
      results.add(sequential.execute(trial));
    }
    double train = seconds(start);
    ResultsFiles.write(loop, ResultsFiles.sorted(results), StorageConfig.defaults());
    TrialResult best = results.stream().min(new TrialRanking(study.metric()).comparator()).orElseThrow();
    new BestModelExporter(loop, loop.data(), study.metric(), StorageConfig.defaults()).export(best);
    return new double[] {train, seconds(start)};
  }

  /**
   * The sweep: {seconds, seconds before the first trial started, seconds after the last ended,
   * trials training at once on average between the two}.
   */
  private double[] timeSweep(StudySpec study, OutputLayout data, String name) throws Exception {
    OutputLayout sweep = new OutputLayout(tmp.resolve(name).toString());
    copyData(data, sweep);
    Path studyFile = tmp.resolve(name + ".json");
    Files.writeString(studyFile, StudySpecWriter.toJson(study));
    SweepPipeline.Options options = PipelineOptionsFactory.fromArgs(
            "--output=" + sweep.root(), "--study=" + studyFile, "--progressEverySeconds=0")
        .withValidation().as(SweepPipeline.Options.class);
    long startMillis = System.currentTimeMillis();
    long start = System.nanoTime();
    SweepPipeline.run(options);
    double total = seconds(start);
    long endMillis = System.currentTimeMillis();
    long firstStart = Long.MAX_VALUE;
    long lastEnd = 0;
    double training = 0;
    for (Trial trial : study.trials()) {
      Path result = Path.of(sweep.resultJson(trial.id()));
      long end = Files.getLastModifiedTime(result).toMillis();
      double elapsed = TrialResult.fromJson(Files.readString(result), result.toString()).elapsedSeconds();
      firstStart = Math.min(firstStart, end - (long) (elapsed * 1000));
      lastEnd = Math.max(lastEnd, end);
      training += elapsed;
    }
    return new double[] {total, (firstStart - startMillis) / 1000.0, (endMillis - lastEnd) / 1000.0,
        training / Math.max(1e-3, (lastEnd - firstStart) / 1000.0)};
  }

  /** The 1, 5 and 15 minute load averages, or "unknown" where /proc/loadavg is absent. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static double median(List<double[]> runs, int column) {
    double[] values = runs.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return values[values.length / 2];
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void copyData(OutputLayout from, OutputLayout to) throws Exception {
    Path source = Path.of(from.data());
    Path target = Path.of(to.data());
    Files.createDirectories(target);
    try (var files = Files.list(source)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
  }
}
