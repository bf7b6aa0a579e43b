package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.trainer.TrialResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps for TPE to reach random search's best on movies (imdb_rating, eval_rmse), with and without
 * a warm start from an earlier TPE study on another slice of the data. The movies rows are shuffled
 * (seeded) and cut in two halves: the earlier study runs on half A, then random search, blind TPE
 * and warm-started TPE ({@code warmStart: {from: [<A's output>]}}, through the real sweep command,
 * so EarlierStudies' checks and study.json's record are part of it) run on half B with the same
 * trials and steps. Each trial trains the full budget (no stopping), so a search has spent
 * {@code (i + 1) * trainSteps} steps after its trial {@code i}; a search reaches a target at the
 * first trial whose eval_rmse is within it. Random search's own steps to its best are the
 * baseline. Trials per search {@code -Dbeamtrain.warm.trials} (12), steps per trial {@code
 * -Dbeamtrain.warm.steps} (300), seeds {@code -Dbeamtrain.warm.seeds} (1). Run with {@code -Pbenchmarks}.
 */
@Tag("benchmark")
class WarmStartBenchmark {
  private static final int TRIALS = Integer.getInteger("beamtrain.warm.trials", 12);
  private static final int STEPS = Integer.getInteger("beamtrain.warm.steps", 300);
  private static final long[] SEEDS = java.util.Arrays.stream(System.getProperty("beamtrain.warm.seeds", "1").split(","))
      .mapToLong(Long::parseLong).toArray();
  private static final double[] WITHIN = {0.02, 0.0};

  @TempDir Path tmp;

  private static String study(String algorithm, long seed, String warmStart) {
    return String.format(Locale.ROOT, """
        metric: {name: eval_rmse}
        algorithm: %s
        maxTrials: %d
        seed: %d
        trainSteps: %d
        evalEverySteps: %d
        checkpointEverySteps: %d
        %s
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.0001, max: 1.0, scale: LOG}
          - {name: hidden_units, type: DISCRETE, values: [16, 32, 64, 128]}
          - {name: num_layers, type: INTEGER, min: 1, max: 3}
          - {name: dropout, type: DOUBLE, min: 0.0, max: 0.5}
          - {name: l2, type: DOUBLE, min: 0.000001, max: 0.1, scale: LOG}
          - {name: optimizer, type: CATEGORICAL, values: [adam, rmsprop, adagrad, sgd]}
          - {name: batch_size, type: DISCRETE, values: [16, 32, 64, 128]}
        fixed: {model: dnn}
        %s
        """, algorithm, TRIALS, seed, STEPS, STEPS / 3, STEPS,
        algorithm.equals("TPE") ? "search: {roundSize: " + Math.max(1, TRIALS / 4) + "}" : "",
        warmStart == null ? "" : "warmStart: {from: [" + warmStart + "]}");
  }

  @Test
  void stepsToReachRandomSearchsBestWithAndWithoutWarmStart() throws IOException {
    Assumptions.assumeTrue(Files.exists(SearchBenchmark.MOVIES), SearchBenchmark.MOVIES + " not found");
    System.out.printf(Locale.ROOT, "%n== movies, TPE with and without warm start from an earlier study on the other half;"
        + " %d trials x %d steps per search%n", TRIALS, STEPS);
    List<long[]> ratios = new ArrayList<>();
    for (long seed : SEEDS) {
      Path dir = tmp.resolve("seed-" + seed);
      String[] halves = halves(seed, dir);
      String earlier = sweep(dir.resolve("earlier"), halves[0], study("TPE", seed + 100, null));
      String data = preprocessed(dir.resolve("random"), halves[1]);
      List<TrialResult> random = results(sweepOn(dir.resolve("random"), study("RANDOM", seed, null)));
      copyData(data, dir.resolve("blind"));
      List<TrialResult> blind = results(sweepOn(dir.resolve("blind"), study("TPE", seed, null)));
      copyData(data, dir.resolve("warm"));
      List<TrialResult> warm = results(sweepOn(dir.resolve("warm"), study("TPE", seed, earlier)));
      double best = bestOf(random);
      for (double within : WITHIN) {
        double target = best * (1 + within);
        long r = stepsToReach(random, target);
        long b = stepsToReach(blind, target);
        long w = stepsToReach(warm, target);
        System.out.printf(Locale.ROOT,
            "seed %d, within %.0f%% of random's best %.4f: random %d steps, TPE %s (%s), TPE warm-started %s (%s);"
                + " best eval_rmse random %.4f, TPE %.4f, warm %.4f%n",
            seed, within * 100, best, r, steps(b), ratio(b, r), steps(w), ratio(w, r), best, bestOf(blind), bestOf(warm));
        if (within > 0) {
          ratios.add(new long[] {r, b, w});
        }
      }
    }
    long r = ratios.stream().mapToLong(x -> x[0]).sum();
    long b = ratios.stream().mapToLong(x -> x[1] < 0 ? (long) TRIALS * STEPS * 2 : x[1]).sum();
    long w = ratios.stream().mapToLong(x -> x[2] < 0 ? (long) TRIALS * STEPS * 2 : x[2]).sum();
    System.out.printf(Locale.ROOT, "-- within 2%%, over %d seeds: TPE %.2fx random's steps, warm-started TPE %.2fx"
        + " (a search that never got there counts 2x its budget)%n", SEEDS.length, (double) b / r, (double) w / r);
  }

  /** The movies rows shuffled by {@code seed} and written as two CSV files, A and B. */
  private static String[] halves(long seed, Path dir) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(SearchBenchmark.MOVIES));
    String header = lines.remove(0);
    lines.removeIf(String::isBlank);
    Collections.shuffle(lines, new Random(seed));
    int half = lines.size() / 2;
    Path a = dir.resolve("slice-a/movies.csv");
    Path b = dir.resolve("slice-b/movies.csv");
    Files.createDirectories(a.getParent());
    Files.createDirectories(b.getParent());
    Files.writeString(a, header + "\n" + String.join("\n", lines.subList(0, half)) + "\n");
    Files.writeString(b, header + "\n" + String.join("\n", lines.subList(half, lines.size())) + "\n");
    return new String[] {a.toString(), b.toString()};
  }

  private static String preprocessed(Path output, String csv) {
    PreprocessSettings settings = PreprocessSettings.of(csv, output.toString(), "imdb_rating")
        .withIgnore(List.of("release_date"));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Preprocess", Preprocess.from(settings));
    PreprocessPipeline.runAndWait(pipeline);
    return new OutputLayout(output.toString()).data();
  }

  /** The same preprocessed data under another output (each search owns its output). */
  private static void copyData(String data, Path output) throws IOException {
    Path target = output.resolve("data");
    try (var files = Files.walk(Path.of(data))) {
      for (Path p : files.toList()) {
        Path to = target.resolve(Path.of(data).relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }

  private static String sweep(Path output, String csv, String study) {
    preprocessed(output, csv);
    sweepOn(output, study);
    return output.toString();
  }

  private static Path sweepOn(Path output, String study) {
    try {
      Path file = output.resolveSibling(output.getFileName() + "-study.yaml");
      Files.writeString(file, study);
      SweepPipeline.run(PipelineOptionsFactory.fromArgs("--output=" + output, "--study=" + file, "--trialsPerWorker=2")
          .withValidation().as(SweepPipeline.Options.class));
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<TrialResult> results(Path output) {
    List<TrialResult> results = new ArrayList<>(io.beamtrain.pipelines.sweep.ResultsFiles.read(
        new OutputLayout(output.toString()), io.beamtrain.checkpointing.storage.StorageConfig.defaults()));
    results.sort(Comparator.comparing(TrialResult::trial));
    return results;
  }

  private static double value(TrialResult r) {
    Double v = r.metrics().get("eval_rmse");
    return v == null || !Double.isFinite(v) ? Double.POSITIVE_INFINITY : v;
  }

  private static double bestOf(List<TrialResult> results) {
    return results.stream().mapToDouble(WarmStartBenchmark::value).min().orElseThrow();
  }

  /** Steps spent when the first trial within {@code target} finished (trials in id order), -1 if none. */
  private static long stepsToReach(List<TrialResult> results, double target) {
    for (int i = 0; i < results.size(); i++) {
      if (value(results.get(i)) <= target) {
        return (long) (i + 1) * STEPS;
      }
    }
    return -1;
  }

  private static String steps(long steps) {
    return steps < 0 ? "never" : steps + " steps";
  }

  private static String ratio(long steps, long baseline) {
    return steps < 0 ? "-" : String.format(Locale.ROOT, "%.2fx", (double) steps / baseline);
  }
}
