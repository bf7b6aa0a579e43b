package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.pipelines.study.Rung;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
 * and TPE at the same total step budget, three seeds each, on penguins (eval_loss) and movies
 * (eval_rmse of imdb_rating, read in place from {@code ../shared/datasets/movies.csv} or {@code
 * -Dbeamtrain.movies=<path>}, never copied into the repository).
 *
 * <p><b>Search space.</b> What an ML engineer would tune for a tabular DNN: learning rate over
 * four decades (LOG), width (DISCRETE), depth (INTEGER), dropout, L2 over five decades (LOG), the
 * optimizer (CATEGORICAL: adam, rmsprop, adagrad, sgd) and the batch size (DISCRETE). Most of
 * such a space trains badly within the budget (sgd or adagrad at a small learning rate, a huge
 * L2), which is the waste the adaptive searches exist to avoid; a narrow space where any random
 * draw lands near the best measures nothing.
 *
 * <p><b>Budgets.</b> Maximum budget {@code R} steps per trial ({@code -Dbeamtrain.search.maxBudget},
 * default {@value #DEFAULT_MAX_BUDGET}), eta 3, evaluations every {@code R / 27} steps. The total
 * budget {@code B} is what Hyperband with all four brackets from {@code R / 27} plans to spend;
 * random search and TPE get {@code floor(B / R)} full trials; successive halving starts as many
 * trials as fit in {@code B}, once with a first rung of {@code R / 27} steps (four rungs, the most
 * configurations) and once with {@code R / 9} (three rungs, fewer configurations whose first rung is
 * long enough for a good configuration to show it). For the first, random search's trials also
 * print how well their metric at each rung budget ranks them as their final metric does
 * (Spearman's rho): the question whether the early rungs rank noisily.
 *
 * <p><b>Steps to reach.</b> For each run the benchmark prints the best eval metric and the
 * training steps spent until the search first evaluated a value within 2% (the target), within
 * 1%, and at least as good as (0%) the best value random search found with its full budget (same
 * dataset and seed), one summary table per threshold. All three come from the same runs' histories
 * (no extra training). One rule for every algorithm: the work
 * is laid out in the order a single worker would do it given the algorithm's dependencies, and the
 * steps of every piece of work before the first qualifying evaluation are added up, that piece's
 * steps counted only up to that evaluation. The pieces and their order: random search -- trials in
 * trial order; TPE -- round by round (a round needs the earlier rounds' results), trials in id
 * order within a round; successive halving -- rung by rung (rung r + 1 needs all of rung r), in
 * trial order within a rung, a promoted trial's piece being only the steps from the previous rung's
 * budget to this one (it continues from its checkpoint); Hyperband -- bracket by bracket, most
 * exploratory first (Li et al.'s loop order), each bracket as successive halving; ASHA (one worker)
 * -- its job log's order, each job a group of its own (so its expected count is its count). The steps come
 * from the trials' result.json histories, and the benchmark checks that no trial trained a step
 * twice ({@code steps} equals its last evaluated step), so continued trials really continued.
 *
 * The order within a group of exchangeable work (a random search, a TPE round, a rung) is
 * arbitrary, so beside the count in trial order the benchmark prints its expectation over random
 * orders within each group (same rule for every algorithm; see {@link Run#expectedStepsToReach}):
 * random search's own steps to reach otherwise depend on where its good trials happen to sit.
 * Hyperband's brackets share nothing (a runner trains them in parallel), so their order is free
 * too: the row {@value #ANY_BRACKET_ORDER} takes Hyperband's expectation also over all orders of
 * its brackets ({@link Run#expectedStepsToReachAnyBracketOrder}); the HYPERBAND row keeps Li et
 * al.'s order.
 * {@code SearchBenchmarkAccountingTest} checks the accounting on hand-made histories.
 *
 * <p>The target compares successive halving / Hyperband's steps to reach within 2% with
 * random search's; the ratios to random's steps to reach (both counts) and to random's whole budget are
 * printed.
 *
 * <p>{@code mvn -B -o -Pbenchmarks verify -pl pipelines -am -Dtest=SearchBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; {@code -Dbeamtrain.search.quick=true} runs one seed
 * at a third of the budget (a smoke run of a few minutes); {@code -Dbeamtrain.search.seeds=1,2,3}.
 */
@Tag("benchmark")
class SearchBenchmark {
  /** {@code -Dbeamtrain.movies=<path>}, else {@code shared/datasets/movies.csv} beside the worktrees. */
  static final Path MOVIES = Path.of(System.getProperty("beamtrain.movies",
      Path.of("..", "..", "..", "shared", "datasets", "movies.csv").toString())).toAbsolutePath().normalize();
  static final boolean QUICK = Boolean.getBoolean("beamtrain.search.quick");
  static final int DEFAULT_MAX_BUDGET = 810;
  static final int ETA = 3;
  static final int RUNGS = 4;
  static final int MAX_BUDGET = Integer.getInteger("beamtrain.search.maxBudget", QUICK ? 270 : DEFAULT_MAX_BUDGET);
  static final int MIN_BUDGET = MAX_BUDGET / (int) Math.pow(ETA, RUNGS - 1);
  /** Evaluations at every rung budget (and between them), checkpoints only where a rung ends. */
  static final int EVAL_EVERY = MIN_BUDGET;
  static final long[] SEEDS = Arrays.stream(System.getProperty("beamtrain.search.seeds", QUICK ? "1" : "1,2,3")
      .split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
  /** How close to random search's final best counts as reaching it: within 2% (the target), 1%, and 0%. */
  static final double[] WITHIN = {0.02, 0.01, 0.0};
  /** The rung budgets, where the rank correlation of early and final metrics is printed. */
  static final List<Integer> RUNG_STEPS = List.of(MIN_BUDGET, MIN_BUDGET * ETA, MIN_BUDGET * ETA * ETA);

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
          - {name: learning_rate, type: DOUBLE, min: 0.0001, max: 1.0, scale: LOG}
          - {name: hidden_units, type: DISCRETE, values: [16, 32, 64, 128]}
          - {name: num_layers, type: INTEGER, min: 1, max: 3}
          - {name: dropout, type: DOUBLE, min: 0.0, max: 0.5}
          - {name: l2, type: DOUBLE, min: 0.000001, max: 0.1, scale: LOG}
          - {name: optimizer, type: CATEGORICAL, values: [adam, rmsprop, adagrad, sgd]}
          - {name: batch_size, type: DISCRETE, values: [16, 32, 64, 128]}
        fixed: {model: dnn}
        """, metric, algorithm, trials, seed, MAX_BUDGET, EVAL_EVERY, MAX_BUDGET);
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

  /** One search setting to measure: an algorithm, its trial count and (SH, HB) its first rung's budget. */
  record Variant(String label, Algorithm algorithm, int trials, int minBudget, SearchSettings.Sampler sampler) {
    Variant(String label, Algorithm algorithm, int trials, int minBudget) {
      this(label, algorithm, trials, minBudget, SearchSettings.Sampler.RANDOM);
    }
  }

  /**
   * ASHA with one worker: at most as many trials as successive halving's plan fits in {@code
   * budget} steps, and {@code budget} as its step budget ({@code search.maxSteps}), which usually
   * binds first (ASHA promotes more than {@code floor(n / eta)} per rung, so it starts fewer trials).
   */
  static Variant asha(long budget, int minBudget, SearchSettings.Sampler sampler) {
    int trials = 1;
    while (AshaSchedule.of(minBudget, MAX_BUDGET, ETA, trials + 1, 0, MetricSpec.defaultMetric()).plannedSteps() <= budget) {
      trials++;
    }
    String label = sampler == SearchSettings.Sampler.TPE ? "ASHA + TPE" : "ASHA min R/" + MAX_BUDGET / minBudget;
    return new Variant(label, Algorithm.ASHA, trials, minBudget, sampler);
  }

  /** Successive halving starting as many trials at {@code minBudget} as fit in {@code budget} steps. */
  static Variant halving(long budget, int minBudget) {
    int trials = 1;
    while (Brackets.totalSteps(Brackets.successiveHalving(trials + 1, minBudget, MAX_BUDGET, ETA)) <= budget) {
      trials++;
    }
    return new Variant("SH min R/" + MAX_BUDGET / minBudget, Algorithm.SUCCESSIVE_HALVING, trials, minBudget);
  }

  /** Every search's total step budget: what Hyperband with all brackets from {@code R / 27} plans to spend. */
  static long totalBudget() {
    return Brackets.totalSteps(Brackets.hyperband(MIN_BUDGET, MAX_BUDGET, ETA, RUNGS));
  }

  private void compare(String dataset, String dataDir, String metric) {
    List<Bracket> hyperband = Brackets.hyperband(MIN_BUDGET, MAX_BUDGET, ETA, RUNGS);
    long budget = totalBudget();
    int randomTrials = (int) (budget / MAX_BUDGET);
    List<Variant> variants = List.of(
        new Variant("RANDOM", Algorithm.RANDOM, randomTrials, MAX_BUDGET),
        halving(budget, MIN_BUDGET),
        halving(budget, MIN_BUDGET * ETA),
        new Variant("HYPERBAND", Algorithm.HYPERBAND, randomTrials, MIN_BUDGET),
        asha(budget, MIN_BUDGET, SearchSettings.Sampler.RANDOM),
        asha(budget, MIN_BUDGET, SearchSettings.Sampler.TPE),
        new Variant("TPE", Algorithm.TPE, randomTrials, MAX_BUDGET));
    System.out.printf(Locale.ROOT, "%n== %s (%s), load average %s: budget %d steps (R %d, eta %d); random and TPE %d x %d"
            + " steps (TPE in rounds of %d); HB brackets %s from %d steps, %d steps; %s%n",
        dataset, metric, loadAverage(), budget, MAX_BUDGET, ETA, randomTrials, MAX_BUDGET, tpeRoundSize(randomTrials),
        hyperband.stream().map(Bracket::trials).toList(), MIN_BUDGET, budget,
        variants.stream().filter(v -> v.algorithm() == Algorithm.SUCCESSIVE_HALVING)
            .map(v -> String.format(Locale.ROOT, "%s: %d trials, rungs %s, %d steps", v.label(), v.trials(),
                Brackets.successiveHalving(v.trials(), v.minBudget(), MAX_BUDGET, ETA).get(0).rungs().stream()
                    .map(Rung::budget).toList(),
                Brackets.totalSteps(Brackets.successiveHalving(v.trials(), v.minBudget(), MAX_BUDGET, ETA))))
            .toList());
    Map<String, double[]> best = new LinkedHashMap<>();
    Map<String, long[]> spent = new LinkedHashMap<>();
    // [threshold][seed] per label: steps to reach in trial order, expected over orders within groups.
    Map<String, long[][]> reach = new LinkedHashMap<>();
    Map<String, long[][]> expected = new LinkedHashMap<>();
    long[] randomBudget = new long[SEEDS.length];
    for (int s = 0; s < SEEDS.length; s++) {
      long seed = SEEDS[s];
      double target = Double.NaN;
      for (Variant v : variants) {
        Run r = run(dataset, dataDir, metric, v, seed);
        if (v.algorithm() == Algorithm.RANDOM) {
          target = r.best();
          randomBudget[s] = r.totalSteps();
          System.out.printf(Locale.ROOT, "%-9s seed %d: rank correlation (Spearman) of random's trials at steps %s"
                  + " with their final best: %s%n", dataset, seed, RUNG_STEPS, r.earlyRankCorrelations(RUNG_STEPS));
        }
        best.computeIfAbsent(v.label(), a -> new double[SEEDS.length])[s] = r.best();
        spent.computeIfAbsent(v.label(), a -> new long[SEEDS.length])[s] = r.totalSteps();
        List<String> reached = new ArrayList<>();
        for (int t = 0; t < WITHIN.length; t++) {
          long toReach = r.stepsToReach(target, WITHIN[t]);
          long toReachExpected = Math.round(r.expectedStepsToReach(target, WITHIN[t]));
          reach.computeIfAbsent(v.label(), a -> new long[WITHIN.length][SEEDS.length])[t][s] = toReach;
          expected.computeIfAbsent(v.label(), a -> new long[WITHIN.length][SEEDS.length])[t][s] = toReachExpected;
          reached.add(String.format(Locale.ROOT, "%s: %s / %s", percent(WITHIN[t]), never(toReach), never(toReachExpected)));
          if (v.algorithm() == Algorithm.HYPERBAND) {
            // Brackets share nothing, so a worker may take them in any order: HB's count expected over those too.
            String label = ANY_BRACKET_ORDER;
            expected.computeIfAbsent(label, a -> new long[WITHIN.length][SEEDS.length])[t][s] =
                Math.round(r.expectedStepsToReachAnyBracketOrder(target, WITHIN[t]));
            best.computeIfAbsent(label, a -> new double[SEEDS.length])[s] = r.best();
            spent.computeIfAbsent(label, a -> new long[SEEDS.length])[s] = r.totalSteps();
          }
        }
        System.out.printf(Locale.ROOT, "%-9s %-12s seed %d: best %s %.4g, steps %5d (%d trials, %d stopped or diverged),"
                + " steps to random's best (%.4g), in trial order / expected over orders: %s  (%.0f s, load %s)%n",
            dataset, v.label(), seed, metric, r.best(), r.totalSteps(), r.results.size(), r.unfinished(), target,
            String.join(", ", reached), r.seconds, loadAverage());
      }
    }
    System.out.printf(Locale.ROOT, "-- %s summary over seeds %s (load average %s)%n", dataset, Arrays.toString(SEEDS),
        loadAverage());
    for (int t = 0; t < WITHIN.length; t++) {
      System.out.printf(Locale.ROOT, "-- %s: steps to first reach %s%n", dataset, WITHIN[t] == 0
          ? "random search's final best itself (0%)" : "within " + percent(WITHIN[t]) + " of random search's final best");
      String to = "to " + percent(WITHIN[t]);
      System.out.printf(Locale.ROOT, "%-9s %-20s | %-9s | %-6s | %-20s | %-20s | %-20s | %-20s | %s%n", dataset, "search",
          "mean best", "steps", to + ", trial order", "/ random's", to + ", expected", "/ random's",
          "trial order / random's budget");
      for (String label : best.keySet()) {
        boolean anyOrder = label.equals(ANY_BRACKET_ORDER);
        long[] inOrder = anyOrder ? null : reach.get(label)[t];
        System.out.printf(Locale.ROOT, "%-9s %-20s | %9.4g | %6d | %-20s | %-20s | %-20s | %-20s | %s%n", dataset, label,
            Arrays.stream(best.get(label)).average().orElse(Double.NaN),
            Math.round(Arrays.stream(spent.get(label)).average().orElse(Double.NaN)),
            anyOrder ? "-" : counts(inOrder), anyOrder ? "-" : ratios(inOrder, reach.get("RANDOM")[t]),
            counts(expected.get(label)[t]), ratios(expected.get(label)[t], expected.get("RANDOM")[t]),
            anyOrder ? "-" : ratios(inOrder, randomBudget));
      }
    }
  }

  /** The row of Hyperband's runs counted in expectation over bracket orders too. */
  static final String ANY_BRACKET_ORDER = "HB any bracket order";

  private static String percent(double within) {
    return String.format(Locale.ROOT, "%.0f%%", within * 100);
  }

  private static String never(long steps) {
    return steps < 0 ? "never" : String.valueOf(steps);
  }

  private static String counts(long[] steps) {
    return Arrays.stream(steps).mapToObj(SearchBenchmark::never).toList().toString();
  }

  /** Per seed {@code a / b} to two decimals ("never" when {@code a} never reached). */
  private static String ratios(long[] a, long[] b) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      out.add(a[i] < 0 || b[i] <= 0 ? "never" : String.format(Locale.ROOT, "%.2f", (double) a[i] / b[i]));
    }
    return out.toString();
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "n/a";
    }
  }

  static int tpeRoundSize(int trials) {
    return Math.max(1, Bracket.ceilDiv(trials, 4));
  }

  private Run run(String dataset, String dataDir, String metricName, Variant variant, long seed) {
    Algorithm algorithm = variant.algorithm();
    int trials = variant.trials();
    StudySpec study = StudySpecParser.parse(study(metricName, algorithm, trials, seed), "benchmark study");
    SearchSettings search = SearchSettings.of(
        algorithm == Algorithm.TPE ? Map.of("roundSize", tpeRoundSize(trials))
            : algorithm == Algorithm.RANDOM ? Map.of()
            : algorithm == Algorithm.ASHA ? Map.of("eta", ETA, "minBudget", variant.minBudget(), "workers", 1,
                "maxSteps", totalBudget(), "sampler", variant.sampler().name())
            : Map.of("eta", ETA, "minBudget", variant.minBudget()), study);
    OutputLayout layout = new OutputLayout(
        tmp.resolve(dataset + "-" + variant.label().replaceAll("[^A-Za-z0-9]", "_") + "-" + seed).toString());
    int count = AdaptiveSearch.trialCount(study, search);
    TrialSettings settings = new TrialSettings(layout, dataDir, study.metric(), MAX_BUDGET, EVAL_EVERY,
        MAX_BUDGET, 0, 0, count, StorageConfig.defaults(), false);
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    long start = System.nanoTime();
    List<Bracket> brackets = List.of();
    List<AshaSchedule.Job> jobs = List.of();
    if (algorithm == Algorithm.ASHA) {
      // One worker: the job log is the order a single worker did the work in.
      AsyncSuccessiveHalving asha =
          AsyncSuccessiveHalving.of(study.trials(), AdaptiveSearch.ashaSchedule(study, search), 1, settings);
      if (variant.sampler() == SearchSettings.Sampler.TPE) {
        asha = asha.withSampler(AshaSampler.tpe(study.trials(), study.parameters(), study.metric(), seed));
      }
      pipeline.apply(asha);
    } else if (algorithm == Algorithm.RANDOM) {
      // The plain sweep's trial stage: the baseline as users run it today.
      pipeline.apply(Create.of(study.trials()).withCoder(SerializableCoder.of(Trial.class)))
          .apply(RunTrials.with(settings));
    } else if (algorithm == Algorithm.TPE) {
      pipeline.apply(BatchedRounds.of(new TpeProposer(study.parameters(), study.fixed(), study.metric(), seed,
          search.roundSize(), trials), Bracket.ceilDiv(trials, search.roundSize()), settings));
    } else {
      // AdaptiveSearch's search stage without the export, which every algorithm would pay alike.
      brackets = AdaptiveSearch.brackets(study, search);
      pipeline.apply(SuccessiveHalving.of(study.withMaxTrials(count).trials(), brackets, settings));
    }
    pipeline.run().waitUntilFinish();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (algorithm == Algorithm.ASHA) {
      jobs = new JobLog(layout.jobLog(), io.beamtrain.checkpointing.storage.Storages.forPath(layout.jobLog())).read().jobs();
    }
    List<TrialResult> results = new ArrayList<>();
    // ASHA starts trials until its step budget runs out: those in its log.
    List<String> started = algorithm == Algorithm.ASHA
        ? jobs.stream().map(AshaSchedule.Job::trial).distinct().sorted().toList()
        : java.util.stream.IntStream.range(0, count).mapToObj(Trial::idOf).toList();
    for (String id : started) {
      TrialResult r = read(layout.resultJson(id));
      long lastEvaluated = r.history().isEmpty() ? 0 : r.history().get(r.history().size() - 1).step();
      boolean evaluatedToTheEnd = r.status() == TrialStatus.COMPLETED || r.status() == TrialStatus.STOPPED;
      if (evaluatedToTheEnd ? r.steps() != lastEvaluated : r.steps() < lastEvaluated) {
        throw new IllegalStateException(r.trial() + " trained " + r.steps() + " steps but its last evaluation is at step "
            + lastEvaluated + ": steps were re-run or not evaluated; the step accounting would be wrong");
      }
      results.add(r);
    }
    int roundSize = algorithm == Algorithm.TPE ? search.roundSize() : count;
    return new Run(algorithm, study.metric().goal(), metricName, results, roundSize, brackets, jobs, seconds);
  }

  private static TrialResult read(String path) {
    try {
      return TrialResult.fromJson(Files.readString(Path.of(path), StandardCharsets.UTF_8), path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One search's results and the step accounting of the class comment. */
  record Run(Algorithm algorithm, Goal goal, String metric, List<TrialResult> results, int roundSize,
      List<Bracket> brackets, List<AshaSchedule.Job> jobs, double seconds) {

    /** Spearman's rho between the trials' best metric up to each of {@code steps} and their best overall. */
    String earlyRankCorrelations(List<Integer> steps) {
      List<String> out = new ArrayList<>();
      double[] last = results.stream().mapToDouble(r -> bestUpTo(r, Long.MAX_VALUE)).toArray();
      for (int step : steps) {
        double[] early = results.stream().mapToDouble(r -> bestUpTo(r, step)).toArray();
        out.add(String.format(Locale.ROOT, "%.2f", spearman(early, last)));
      }
      return out.toString();
    }

    /** The trial's best value up to {@code step}; the worst possible when it has none (diverged early). */
    private double bestUpTo(TrialResult r, long step) {
      double best = goal == Goal.MINIMIZE ? Double.MAX_VALUE : -Double.MAX_VALUE;
      for (Evaluation e : r.history()) {
        double v = e.metric(metric);
        if (e.step() <= step && Double.isFinite(v) && goal.isBetter(v, best)) {
          best = v;
        }
      }
      return best;
    }

    private static double spearman(double[] a, double[] b) {
      double[] ra = ranks(a);
      double[] rb = ranks(b);
      double mean = (a.length + 1) / 2.0;
      double cov = 0;
      double va = 0;
      double vb = 0;
      for (int i = 0; i < a.length; i++) {
        cov += (ra[i] - mean) * (rb[i] - mean);
        va += (ra[i] - mean) * (ra[i] - mean);
        vb += (rb[i] - mean) * (rb[i] - mean);
      }
      return cov / Math.sqrt(va * vb);
    }

    /** Ranks from 1, ties sharing their mean rank. */
    private static double[] ranks(double[] values) {
      Integer[] order = new Integer[values.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (x, y) -> Double.compare(values[x], values[y]));
      double[] ranks = new double[values.length];
      for (int i = 0; i < order.length; ) {
        int j = i;
        while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
          j++;
        }
        for (int k = i; k <= j; k++) {
          ranks[order[k]] = (i + j) / 2.0 + 1;
        }
        i = j + 1;
      }
      return ranks;
    }

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

    long unfinished() {
      return results.stream().filter(r -> r.status() != TrialStatus.COMPLETED).count();
    }

    long totalSteps() {
      return results.stream().mapToLong(TrialResult::steps).sum();
    }

    /**
     * Steps spent, in the work order of the class comment, until an evaluation within {@code
     * within} (0.02 = 2%; 0 = at least as good) of {@code target}; -1 if never.
     */
    long stepsToReach(double target, double within) {
      long spent = 0;
      for (List<Piece> group : groups(target, within)) {
        for (Piece p : group) {
          if (p.reached()) {
            return spent + p.costToReach();
          }
          spent += p.cost();
        }
      }
      return -1;
    }

    /**
     * The same, in expectation over the order of the work within each group (the trials of a
     * random search, of a TPE round, of a rung), which the algorithm leaves free: with {@code k}
     * pieces of a group reaching the level, each other piece comes before all of them with
     * probability {@code 1 / (k + 1)}, and the first to reach is any of the {@code k} alike.
     * Removes the luck of where a good trial happens to sit in trial order. -1 if never.
     */
    double expectedStepsToReach(double target, double within) {
      return expectedStepsToReach(groups(target, within));
    }

    /**
     * The same, in expectation also over the order of Hyperband's brackets, which share nothing
     * (a runner trains them in parallel): the mean over all orders of the brackets of {@link
     * #expectedStepsToReach(double, double)}, rungs staying in order inside each bracket. Equal to
     * it for searches of one bracket or none. -1 if never.
     */
    double expectedStepsToReachAnyBracketOrder(double target, double within) {
      Map<Long, List<List<Piece>>> byBracket = new java.util.TreeMap<>();
      groupsByKey(target, within).forEach((key, group) -> byBracket.computeIfAbsent(
          brackets.isEmpty() ? 0 : key / BRACKET_KEY, b -> new ArrayList<>()).add(group));
      List<List<List<Piece>>> parts = new ArrayList<>(byBracket.values());
      double[] sum = {0};
      int[] orders = {0};
      permute(parts, 0, order -> {
        sum[0] += expectedStepsToReach(order.stream().flatMap(List::stream).toList());
        orders[0]++;
      });
      double mean = sum[0] / orders[0];
      return mean < 0 ? -1 : mean;
    }

    private static <T> void permute(List<T> items, int from, java.util.function.Consumer<List<T>> each) {
      if (from >= items.size() - 1) {
        each.accept(items);
        return;
      }
      for (int i = from; i < items.size(); i++) {
        java.util.Collections.swap(items, from, i);
        permute(items, from + 1, each);
        java.util.Collections.swap(items, from, i);
      }
    }

    private static double expectedStepsToReach(List<List<Piece>> groups) {
      double spent = 0;
      for (List<Piece> group : groups) {
        List<Piece> reaching = group.stream().filter(Piece::reached).toList();
        if (reaching.isEmpty()) {
          spent += group.stream().mapToLong(Piece::cost).sum();
          continue;
        }
        long others = group.stream().filter(p -> !p.reached()).mapToLong(Piece::cost).sum();
        return spent + others / (reaching.size() + 1.0)
            + reaching.stream().mapToLong(Piece::costToReach).average().orElseThrow();
      }
      return -1;
    }

    /** One trial's work in one group: its steps there, and those up to its first evaluation at the level (or -1). */
    record Piece(int trial, long cost, long costToReach) {
      boolean reached() {
        return costToReach >= 0;
      }
    }

    /** The work as groups in their fixed order (rounds, rungs of brackets); pieces in trial order. */
    List<List<Piece>> groups(double target, double within) {
      return new ArrayList<>(groupsByKey(target, within).values());
    }

    /** A group's key: its round, or its bracket times this plus its rung. */
    static final long BRACKET_KEY = 100;

    private java.util.TreeMap<Long, List<Piece>> groupsByKey(double target, double within) {
      double threshold = goal == Goal.MINIMIZE ? target * (1 + within) : target * (1 - within);
      java.util.TreeMap<Long, java.util.TreeMap<Integer, long[]>> groups = new java.util.TreeMap<>();
      for (TrialResult r : results) {
        int index = Trial.indexOf(r.trial());
        Bracket bracket = bracketOf(index);
        long previous = 0;
        List<long[]> steps = new ArrayList<>();
        for (Evaluation e : r.history()) {
          steps.add(new long[] {e.step(), goal.isBetter(threshold, e.metric(metric)) || !Double.isFinite(e.metric(metric)) ? 0 : 1});
        }
        if (r.steps() > (r.history().isEmpty() ? 0 : r.history().get(r.history().size() - 1).step())) {
          // A diverged trial's steps after its last evaluation were spent too.
          steps.add(new long[] {r.steps(), 0});
        }
        for (long[] step : steps) {
          long group = !jobs.isEmpty() ? jobCovering(r.trial(), step[0])
              : bracket == null ? index / roundSize : bracket.index() * BRACKET_KEY + rungOf(bracket, step[0]);
          // piece = {cost, costToReach (-1 = not reached)}
          long[] piece = groups.computeIfAbsent(group, g -> new java.util.TreeMap<>())
              .computeIfAbsent(index, i -> new long[] {0, -1});
          piece[0] += step[0] - previous;
          if (step[1] == 1 && piece[1] < 0) {
            piece[1] = piece[0];
          }
          previous = step[0];
        }
      }
      java.util.TreeMap<Long, List<Piece>> out = new java.util.TreeMap<>();
      groups.forEach((key, group) -> {
        List<Piece> pieces = new ArrayList<>();
        group.forEach((trial, piece) -> pieces.add(new Piece(trial, piece[0], piece[1])));
        out.put(key, pieces);
      });
      return out;
    }

    /** ASHA: the index of {@code trial}'s job whose budget first covers {@code step} (each job is its own group). */
    private long jobCovering(String trial, long step) {
      return jobs.stream().filter(j -> j.trial().equals(trial) && step <= j.budget())
          .mapToInt(AshaSchedule.Job::index).min()
          .orElseThrow(() -> new IllegalStateException(trial + " trained to step " + step + " beyond its jobs"));
    }

    private Bracket bracketOf(int trialIndex) {
      for (Bracket b : brackets) {
        if (trialIndex >= b.firstTrial() && trialIndex < b.firstTrial() + b.trials()) {
          return b;
        }
      }
      return null;
    }

    /** The first rung of {@code bracket} whose budget covers {@code step}. */
    private static int rungOf(Bracket bracket, long step) {
      for (Rung rung : bracket.rungs()) {
        if (step <= rung.budget()) {
          return rung.index();
        }
      }
      throw new IllegalStateException("step " + step + " beyond the bracket's maximum budget");
    }
  }
}
