package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.trainer.TrialResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Population-based training against random search (the baseline, measured in the same run) and
 * ASHA with TPE proposals, at equal total training steps, on a learning-rate schedule search space
 * (initial rate over three and a half decades, decay none / exponential / cosine, dropout, batch
 * size; the architecture fixed at 2x64), where PBT's changing learning rate is a schedule of its
 * own. Every search runs with {@code --deterministic} through {@code beamtrain sweep}, which
 * exports its best trial; the figure is that exported model's RMSE on a held-out fifth of the
 * rows (every fifth CSV record), which no search saw, beside the eval-split RMSE the search
 * selected by.
 *
 * <p>Budget: {@code P} trials of {@code R} steps for random search and PBT ({@code P} members,
 * perturbation every {@code R / 6} steps, quantile 0.25); ASHA + TPE gets {@code P * R} steps in
 * all, rungs from {@code R / 9}, eta 3, one worker. Quick mode ({@code -Dbeamtrain.search.quick=true}):
 * {@code P = 6}, {@code R = 600}, flights-20k; else {@code P = 8}, {@code R = 1200}, flights-200k.
 * Seeds: {@code -Dbeamtrain.search.seeds=1,2,3} (default).
 *
 * <p>{@code mvn -B -o -Pbenchmarks verify -pl pipelines -am -Dtest=PbtBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -Dbeamtrain.search.quick=true}
 */
@Tag("benchmark")
class PbtBenchmark {
  static final boolean QUICK = Boolean.getBoolean("beamtrain.search.quick");
  static final int POPULATION = QUICK ? 6 : 8;
  static final int STEPS = QUICK ? 600 : 1200;
  static final long[] SEEDS = Arrays.stream(System.getProperty("beamtrain.search.seeds", "1,2,3").split(","))
      .mapToLong(s -> Long.parseLong(s.trim())).toArray();
  static final Path DATASETS = Path.of("..", "..", "..", "shared", "datasets").toAbsolutePath().normalize();
  static final Path FLIGHTS = Path.of("..", "data", QUICK ? "flights-20k.csv" : "flights-200k.csv")
      .toAbsolutePath().normalize();

  @TempDir static Path tmp;

  static String study(String algorithm, long seed, String search) {
    return String.format(Locale.ROOT, """
        metric: {name: eval_rmse, goal: MINIMIZE}
        algorithm: %s
        maxTrials: %d
        seed: %d
        trainSteps: %d
        evalEverySteps: %d
        checkpointEverySteps: %d
        %s
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.0001, max: 0.3, scale: LOG}
          - {name: learning_rate_decay, type: CATEGORICAL, values: [none, exponential, cosine]}
          - {name: dropout, type: DOUBLE, min: 0.0, max: 0.5}
          - {name: batch_size, type: DISCRETE, values: [32, 64, 128]}
        fixed: {model: dnn, hidden_units: 64, num_layers: 2, decay_rate: 0.05}
        """, algorithm, algorithm.equals("ASHA") ? 40 : POPULATION, seed, STEPS, STEPS / 12, STEPS / 6, search);
  }

  @Test
  void movies() {
    Path movies = Path.of(System.getProperty("beamtrain.movies", DATASETS.resolve("movies.csv").toString()));
    Assumptions.assumeTrue(Files.exists(movies), movies + " not found");
    compare("movies", movies, "imdb_rating", List.of("release_date"));
  }

  @Test
  void flights() {
    Assumptions.assumeTrue(Files.exists(FLIGHTS), FLIGHTS + " not found");
    // flights-20k has a date column (a timestamp the model cannot use); flights-200k has none.
    List<String> ignore = QUICK ? List.of("date") : List.of();
    compare(FLIGHTS.getFileName().toString().replace(".csv", ""), FLIGHTS, "delay", ignore);
  }

  private void compare(String dataset, Path csv, String label, List<String> ignore) {
    Path dir = tmp.resolve(dataset);
    HeldOutRows heldOut = HeldOutRows.split(csv, dir.resolve("train.csv"), label);
    Path data = dir.resolve("prepared");
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Preprocess", Preprocess.from(
        PreprocessSettings.of(dir.resolve("train.csv").toString(), data.toString(), label).withIgnore(ignore)));
    PreprocessPipeline.runAndWait(pipeline);

    Map<String, double[]> heldOutRmse = new LinkedHashMap<>();
    Map<String, double[]> evalRmse = new LinkedHashMap<>();
    for (int s = 0; s < SEEDS.length; s++) {
      long seed = SEEDS[s];
      Map<String, String> studies = new LinkedHashMap<>();
      studies.put("random", study("RANDOM", seed, ""));
      studies.put("ASHA + TPE", study("ASHA", seed, String.format(Locale.ROOT,
          "search: {eta: 3, minBudget: %d, maxSteps: %d, sampler: TPE}", STEPS / 9, (long) POPULATION * STEPS)));
      studies.put("PBT", study("PBT", seed, String.format(Locale.ROOT,
          "search: {populationSize: %d, perturbationInterval: %d, quantile: 0.25}", POPULATION, STEPS / 6)));
      for (Map.Entry<String, String> e : studies.entrySet()) {
        OutputLayout out = new OutputLayout(dir.resolve(e.getKey().replace(" + ", "-") + "-" + seed).toString());
        SweepOutcome outcome = sweep(data, out, e.getValue());
        long steps = outcome.results().stream().mapToLong(TrialResult::steps).sum();
        double rmse = heldOut.rmse(out.savedModel());
        heldOutRmse.computeIfAbsent(e.getKey(), k -> new double[SEEDS.length])[s] = rmse;
        evalRmse.computeIfAbsent(e.getKey(), k -> new double[SEEDS.length])[s] = outcome.best().metric("eval_rmse");
        System.out.printf(Locale.ROOT, "%s seed %d %-10s: %d trials, %d steps, best %s eval_rmse %.4f, held-out rmse %.4f%n",
            dataset, seed, e.getKey(), outcome.results().size(), steps, outcome.best().trial(),
            outcome.best().metric("eval_rmse"), rmse);
        if (e.getKey().equals("PBT")) {
          outcome.results().stream().filter(r -> r.trial().equals(outcome.best().trial())).findFirst()
              .ifPresent(r -> r.lineage().forEach(x -> System.out.printf(Locale.ROOT,
                  "  lineage of %s: step %d from %s, %s -> %s%n", r.trial(), x.step(), x.donor(), x.before(), x.after())));
        }
      }
    }
    System.out.printf(Locale.ROOT, "%n%s, %d x %d steps per search, seeds %s (shared machine: figures relative)%n",
        dataset, POPULATION, STEPS, Arrays.toString(SEEDS));
    System.out.println("| search | held-out RMSE mean | per seed | eval RMSE mean | held-out / random's |");
    System.out.println("| --- | --- | --- | --- | --- |");
    double baseline = Arrays.stream(heldOutRmse.get("random")).average().orElse(Double.NaN);
    for (String name : heldOutRmse.keySet()) {
      double mean = Arrays.stream(heldOutRmse.get(name)).average().orElse(Double.NaN);
      System.out.printf(Locale.ROOT, "| %s | %.4f | %s | %.4f | %.3f |%n", name, mean,
          Arrays.toString(Arrays.stream(heldOutRmse.get(name)).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v)).toArray()),
          Arrays.stream(evalRmse.get(name)).average().orElse(Double.NaN), mean / baseline);
    }
  }

  private static SweepOutcome sweep(Path data, OutputLayout out, String studyText) {
    try {
      Path root = Path.of(out.root());
      copyTree(data.resolve("data"), root.resolve("data"));
      Path study = root.resolve("study.yaml");
      Files.writeString(study, studyText);
      return SweepPipeline.run(PipelineOptionsFactory.fromArgs(
              "--output=" + out.root(), "--study=" + study, "--deterministic")
          .withValidation().as(SweepPipeline.Options.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
