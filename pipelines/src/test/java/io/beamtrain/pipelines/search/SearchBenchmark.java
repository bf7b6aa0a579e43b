package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessPipeline;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random search (the baseline, measured in the same run) against successive halving, Hyperband
 * and TPE at about the same total step budget (Hyperband's with all brackets), three seeds each,
 * on penguins (eval_loss) and movies (eval_rmse of imdb_rating, read in place from
 * {@code ../shared/datasets/movies.csv}, never copied into the repository).
 *
 * <p>Prints per run the best eval metric, the steps spent and the steps spent until the search
 * first reached within 2% of the best value random search found with its full budget (same
 * seed). Steps are counted in a sequential-equivalent order: rung by rung (successive halving,
 * Hyperband) or round by round (TPE; random search is one round), trials by id within a rung or
 * round, so "steps to reach" is what a one-worker run would have spent.
 *
 * <p>{@code mvn -B -o -Pbenchmarks verify -pl pipelines -am -Dtest=SearchBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class SearchBenchmark {
  /** {@code -Dbeamtrain.movies=<path>}, else {@code shared/datasets/movies.csv} beside the worktrees. */
  static final Path MOVIES = Path.of(System.getProperty("beamtrain.movies",
      Path.of("..", "..", "..", "shared", "datasets", "movies.csv").toString())).toAbsolutePath().normalize();
  static final int MAX_BUDGET = 270;
  static final int MIN_BUDGET = 30;
  static final int ETA = 3;
  static final int EVAL_EVERY = 30;
  static final long[] SEEDS = {1, 2, 3};

  @TempDir static Path tmp;

  static String study(String metric, Algorithm algorithm, int trials, long seed) {
    return String.format(Locale.ROOT, """
        metric: {name: %s}
        algorithm: %s
        maxTrials: %d
        seed: %d
        trainSteps: %d
        evalEverySteps: %d
        checkpointEverySteps: %d
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.0003, max: 0.3, scale: LOG}
          - {name: hidden_units, type: DISCRETE, values: [16, 32, 64, 128]}
          - {name: num_layers, type: INTEGER, min: 1, max: 3}
          - {name: optimizer, type: CATEGORICAL, values: [adam, sgd]}
        fixed: {model: dnn, batch_size: 32}
        """, metric, algorithm, trials, seed, MAX_BUDGET, EVAL_EVERY, EVAL_EVERY);
  }

  @Test
  void penguins() {
    String input = PenguinsData.writeCsv(tmp.resolve("penguins-in").toString(), StorageConfig.defaults());
    compare("penguins", preprocess(PreprocessSettings.of(input, tmp.resolve("penguins").toString(), "species")),
        "eval_loss");
  }

  @Test
  void movies() {
    Assumptions.assumeTrue(Files.exists(MOVIES), MOVIES + " not found");
    compare("movies", preprocess(PreprocessSettings.of(MOVIES.toString(), tmp.resolve("movies").toString(), "imdb_rating")
        .withIgnore(List.of("release_date"))), "eval_rmse");
  }

  private static String preprocess(PreprocessSettings settings) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Preprocess", Preprocess.from(settings));
    PreprocessPipeline.runAndWait(pipeline);
    return new OutputLayout(settings.output()).data();
  }

  private void compare(String dataset, String dataDir, String metric) {
    List<Bracket> hyperband = Brackets.hyperband(MIN_BUDGET, MAX_BUDGET, ETA,
        Brackets.maxExtraRungs(MIN_BUDGET, MAX_BUDGET, ETA) + 1);
    long budget = Brackets.totalSteps(hyperband);
    int randomTrials = (int) (budget / MAX_BUDGET);
    int halvingTrials = 1;
    while (Brackets.totalSteps(Brackets.successiveHalving(halvingTrials + 1, MIN_BUDGET, MAX_BUDGET, ETA)) <= budget) {
      halvingTrials++;
    }
    System.out.printf(Locale.ROOT, "%n== %s (%s): budget %d steps; random %d x %d steps, SH %d trials, HB %d brackets %s, TPE %d trials in rounds of %d%n",
        dataset, metric, budget, randomTrials, MAX_BUDGET, halvingTrials, hyperband.size(),
        hyperband.stream().map(Bracket::trials).toList(), randomTrials, Math.max(1, randomTrials / 4));
    Map<Algorithm, double[]> bestByAlgorithm = new java.util.EnumMap<>(Algorithm.class);
    Map<Algorithm, long[]> reachByAlgorithm = new java.util.EnumMap<>(Algorithm.class);
    for (int s = 0; s < SEEDS.length; s++) {
      long seed = SEEDS[s];
      Run random = run(dataset, dataDir, metric, Algorithm.RANDOM, randomTrials, seed);
      double target = random.best();
      for (Run r : List.of(random,
          run(dataset, dataDir, metric, Algorithm.SUCCESSIVE_HALVING, halvingTrials, seed),
          run(dataset, dataDir, metric, Algorithm.HYPERBAND, randomTrials, seed),
          run(dataset, dataDir, metric, Algorithm.TPE, randomTrials, seed))) {
        long reach = r.stepsToReach(target);
        bestByAlgorithm.computeIfAbsent(r.algorithm, a -> new double[SEEDS.length])[s] = r.best();
        reachByAlgorithm.computeIfAbsent(r.algorithm, a -> new long[SEEDS.length])[s] = reach;
        System.out.printf(Locale.ROOT, "%-9s %-18s seed %d: best %s %.4f, steps %5d, steps to within 2%% of random's best (%.4f): %s  (%.0f s)%n",
            dataset, r.algorithm, seed, metric, r.best(), r.totalSteps(), target,
            reach < 0 ? "never" : String.valueOf(reach), r.seconds);
      }
    }
    System.out.printf(Locale.ROOT, "-- %s summary over seeds %s%n", dataset, java.util.Arrays.toString(SEEDS));
    for (Algorithm a : bestByAlgorithm.keySet()) {
      System.out.printf(Locale.ROOT, "%-9s %-18s mean best %s %.4f; steps to within 2%%: %s%n", dataset, a, metric,
          java.util.Arrays.stream(bestByAlgorithm.get(a)).average().orElse(Double.NaN),
          java.util.Arrays.toString(reachByAlgorithm.get(a)));
    }
  }

  private Run run(String dataset, String dataDir, String metricName, Algorithm algorithm, int trials, long seed) {
    StudySpec study = StudySpecParser.parse(study(metricName, algorithm, trials, seed), "benchmark study");
    SearchSettings search = SearchSettings.of(
        algorithm == Algorithm.TPE ? Map.of("roundSize", Math.max(1, trials / 4))
            : algorithm == Algorithm.RANDOM ? Map.of("roundSize", trials)
            : Map.of("eta", ETA, "minBudget", MIN_BUDGET), study);
    OutputLayout layout = new OutputLayout(tmp.resolve(dataset + "-" + algorithm + "-" + seed).toString());
    int count = AdaptiveSearch.trialCount(study, search);
    TrialSettings settings = new TrialSettings(layout, dataDir, study.metric(), MAX_BUDGET, EVAL_EVERY,
        EVAL_EVERY, 0, 0, count, StorageConfig.defaults());
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    long start = System.nanoTime();
    if (algorithm == Algorithm.RANDOM) {
      // The plain sweep's trial stage: the baseline as users run it today.
      pipeline.apply(Create.of(study.trials()).withCoder(SerializableCoder.of(Trial.class)))
          .apply(RunTrials.with(settings));
    } else {
      // AdaptiveSearch's search stage without the export, which every algorithm would pay alike.
      pipeline.apply(algorithm == Algorithm.TPE
          ? BatchedRounds.of(new TpeProposer(study.parameters(), study.fixed(), study.metric(), seed,
              search.roundSize(), trials), Bracket.ceilDiv(trials, search.roundSize()), settings)
          : SuccessiveHalving.of(study.withMaxTrials(count).trials(), AdaptiveSearch.brackets(study, search), settings));
    }
    pipeline.run().waitUntilFinish();
    double seconds = (System.nanoTime() - start) / 1e9;
    List<TrialResult> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      results.add(read(layout.resultJson(Trial.idOf(i))));
    }
    int roundSize = algorithm == Algorithm.TPE ? search.roundSize() : count;
    return new Run(algorithm, study.metric().goal(), metricName, results, roundSize, seconds);
  }

  private static TrialResult read(String path) {
    try {
      return TrialResult.fromJson(Files.readString(Path.of(path), StandardCharsets.UTF_8), path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One search's results and the sequential-equivalent step accounting. */
  record Run(Algorithm algorithm, Goal goal, String metric, List<TrialResult> results, int roundSize, double seconds) {

    double best() {
      double best = Double.NaN;
      for (TrialResult r : results) {
        for (Evaluation e : r.history()) {
          double v = e.metric(metric);
          if (Double.isFinite(v) && (Double.isNaN(best) || goal.isBetter(v, best))) {
            best = v;
          }
        }
      }
      return best;
    }

    long totalSteps() {
      return results.stream().mapToLong(TrialResult::steps).sum();
    }

    /** Steps spent, in sequential-equivalent order, until an evaluation within 2% of {@code target}; -1 if never. */
    long stepsToReach(double target) {
      double threshold = goal == Goal.MINIMIZE ? target * 1.02 : target * 0.98;
      record Work(long phase, String trial, long step, long cost, double value) {}
      List<Work> work = new ArrayList<>();
      for (TrialResult r : results) {
        long previous = 0;
        int index = Integer.parseInt(r.trial().substring("trial-".length()));
        for (Evaluation e : r.history()) {
          long phase = algorithm == Algorithm.SUCCESSIVE_HALVING || algorithm == Algorithm.HYPERBAND
              ? rungLevel(e.step())
              : index / roundSize;
          work.add(new Work(phase, r.trial(), e.step(), e.step() - previous, e.metric(metric)));
          previous = e.step();
        }
      }
      work.sort(Comparator.comparingLong(Work::phase).thenComparing(Work::trial).thenComparingLong(Work::step));
      long spent = 0;
      for (Work w : work) {
        spent += w.cost();
        if (Double.isFinite(w.value()) && !goal.isBetter(threshold, w.value())) {
          return spent;
        }
      }
      return -1;
    }

    /** The rung ladder level of a step: 0 up to MAX_BUDGET / eta^s_max, then 1, ... */
    static long rungLevel(long step) {
      long level = 0;
      double budget = MIN_BUDGET;
      while (step > Math.round(budget)) {
        budget *= ETA;
        level++;
      }
      return level;
    }
  }
}
