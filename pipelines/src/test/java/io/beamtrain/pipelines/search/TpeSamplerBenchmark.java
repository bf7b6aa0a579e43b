package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Scale;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The proposal model alone, without training: beamtrain's TPE (the {@link TpeProposer} driven
 * directly, in its batched rounds) against random search and against Optuna's TPESampler (default
 * and {@code multivariate=True}) and RandomSampler on synthetic objectives shaped like the real
 * search spaces, many seeds, in seconds. {@code issue}: issue 20's space (learning rate 3e-4..0.3
 * LOG, hidden units {16, 32, 64}, 1..3 layers), a valley in log lr whose floor moves with depth
 * and width and a cliff above it (divergence); minimum 3.3. {@code wide}: {@link SearchBenchmark}'s
 * seven parameters, the best learning rate depending on the optimizer; minimum 0.5. Gaussian
 * noise on every observation (0.02, 0.01); a run's score is the noise-free value of the trial
 * with the best observed value (what the search would export).
 *
 * <p>Optuna's side is {@code benchmarks/optuna/synthetic.py} (the same formulas), run with
 * Debian's {@code /usr/bin/python3} (python3-optuna) when it is there, or read from {@code
 * -Dbeamtrain.tpe.optunaResults=<jsonl>} (its output of an earlier run). Prints per objective and
 * trial count the median, mean and quartiles of the score over seeds; random search (beamtrain's,
 * same run) is the baseline. {@code -Dbeamtrain.tpe.seeds=40}.
 *
 * <p>{@code mvn -B -o -Pbenchmarks verify -pl pipelines -am -Dtest=TpeSamplerBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class TpeSamplerBenchmark {
  static final int SEEDS = Integer.getInteger("beamtrain.tpe.seeds", 40);
  static final int[] TRIALS = {16, 32};
  static final MetricSpec METRIC = new MetricSpec(MetricSpec.EVAL_RMSE, Goal.MINIMIZE);
  static final Map<String, Double> OPTIMIZER_LR = Map.of("adam", -2.5, "rmsprop", -2.8, "adagrad", -1.2, "sgd", -0.7);
  static final Map<String, Double> OPTIMIZER_PENALTY = Map.of("adam", 0.0, "rmsprop", 0.03, "adagrad", 0.12, "sgd", 0.2);

  /** A synthetic objective: its space, its noise-free value and the noise's standard deviation. */
  record Objective(String name, List<ParameterSpec> space, ToDoubleFunction<Map<String, Object>> f, double noise) {}

  static double num(Map<String, Object> p, String name) {
    return ((Number) p.get(name)).doubleValue();
  }

  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  static final Objective ISSUE = new Objective("issue", List.of(
      ParameterSpec.doubleRange("learning_rate", 3e-4, 0.3, Scale.LOG),
      ParameterSpec.discrete("hidden_units", 16, 32, 64),
      ParameterSpec.integerRange("num_layers", 1, 3)), p -> {
        double lr = Math.log10(num(p, "learning_rate"));
        double h = log2(num(p, "hidden_units"));
        double k = num(p, "num_layers");
        double opt = -2.0 + 0.25 * (k - 2) - 0.2 * (h - 5);
        double f = 3.3 + 0.6 * (lr - opt) * (lr - opt) + 0.05 * (h - 6) * (h - 6) + 0.04 * (k - 3) * (k - 3);
        return lr > -0.8 - 0.2 * (k - 1) ? f + 1.0 : f;
      }, 0.02);

  static final Objective WIDE = new Objective("wide", List.of(
      ParameterSpec.doubleRange("learning_rate", 1e-4, 1.0, Scale.LOG),
      ParameterSpec.discrete("hidden_units", 16, 32, 64, 128),
      ParameterSpec.integerRange("num_layers", 1, 3),
      ParameterSpec.doubleRange("dropout", 0.0, 0.5, Scale.LINEAR),
      ParameterSpec.doubleRange("l2", 1e-6, 0.1, Scale.LOG),
      ParameterSpec.categorical("optimizer", "adam", "rmsprop", "adagrad", "sgd"),
      ParameterSpec.discrete("batch_size", 16, 32, 64, 128)), p -> {
        double lr = Math.log10(num(p, "learning_rate"));
        String o = (String) p.get("optimizer");
        double f = 0.5 + 0.25 * Math.pow(lr - OPTIMIZER_LR.get(o), 2) + OPTIMIZER_PENALTY.get(o);
        f += 0.1 * Math.pow(Math.max(0.0, Math.log10(num(p, "l2")) + 3), 2) + 0.5 * Math.pow(num(p, "dropout") - 0.1, 2);
        f += 0.03 * Math.pow(log2(num(p, "hidden_units")) - 6, 2) + 0.03 * Math.pow(num(p, "num_layers") - 2, 2);
        f += 0.02 * Math.pow(log2(num(p, "batch_size")) - 5, 2);
        return lr > OPTIMIZER_LR.get(o) + 1.5 ? f + 2.0 : f;
      }, 0.01);

  /** A search to measure: builds the proposer for a trial count and seed. */
  interface Search {
    RoundProposer proposer(List<ParameterSpec> space, int trials, long seed);

    default int roundSize(int trials) {
      return (trials + 3) / 4;
    }
  }

  /** The searches measured; the first is the baseline. */
  static Map<String, Search> searches() {
    Map<String, Search> searches = new LinkedHashMap<>();
    searches.put("beamtrain random", (space, trials, seed) -> new PlannedRounds(
        trialsOf(Algorithm.RANDOM.search().suggest(space, trials, seed)), (trials + 3) / 4));
    searches.put("beamtrain TPE, old defaults", tpe(BEFORE, false));
    searches.put("beamtrain TPE", tpe(TpeSettings.DEFAULT, false));
    searches.put("  gamma 0.25 instead of 0.1", tpe(TpeSettings.DEFAULT.withGamma(0.25, Integer.MAX_VALUE), false));
    searches.put("  univariate instead of multivariate", tpe(TpeSettings.DEFAULT.withMultivariate(false), false));
    searches.put("  no constant liar", tpe(TpeSettings.DEFAULT.withConstantLiar(false), false));
    searches.put("  startup = first round only", tpe(TpeSettings.DEFAULT.withStartupTrials(1), false));
    searches.put("  rounds of 1 (sequential)", tpe(TpeSettings.DEFAULT, true));
    searches.put("  rounds of 2", tpeRounds(TpeSettings.DEFAULT, 2));
    searches.put("  rounds of 2, startup first round", tpeRounds(TpeSettings.DEFAULT.withStartupTrials(1), 2));
    return searches;
  }

  /** The old defaults: gamma 0.25, univariate, no liar, only the first round quasi-random (the estimator itself is the new one). */
  static final TpeSettings BEFORE = new TpeSettings(0.25, Integer.MAX_VALUE, false, false, 1);

  static Search tpe(TpeSettings settings, boolean sequential) {
    return tpe(settings, trials -> sequential ? 1 : (trials + 3) / 4);
  }

  static Search tpeRounds(TpeSettings settings, int size) {
    return tpe(settings, trials -> size);
  }

  /** TPE in rounds of {@code sizeOf.applyAsInt(trials)}. */
  static Search tpe(TpeSettings settings, IntUnaryOperator sizeOf) {
    return new Search() {
      @Override
      public RoundProposer proposer(List<ParameterSpec> space, int trials, long seed) {
        return new TpeProposer(space, Map.of(), METRIC, seed, roundSize(trials), trials, settings);
      }

      @Override
      public int roundSize(int trials) {
        return sizeOf.applyAsInt(trials);
      }
    };
  }

  static List<Trial> trialsOf(List<? extends Map<String, Object>> points) {
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      trials.add(new Trial(Trial.idOf(i), i, new TreeMap<>(points.get(i)), i));
    }
    return trials;
  }

  /** One search run: the noise-free value of the trial with the best observed value. */
  static double run(Objective objective, Search search, int trials, long seed) {
    RoundProposer proposer = search.proposer(objective.space(), trials, seed);
    SplittableRandom noise = new SplittableRandom(seed * 7919 + trials);
    List<TrialResult> results = new ArrayList<>();
    double bestObserved = Double.POSITIVE_INFINITY;
    double bestTrue = Double.NaN;
    int roundSize = search.roundSize(trials);
    for (int round = 0; round * roundSize < trials; round++) {
      List<TrialResult> earlier = List.copyOf(results);
      for (Trial t : proposer.propose(round, earlier)) {
        double truth = objective.f().applyAsDouble(t.params());
        double observed = truth + objective.noise() * gaussian(noise);
        if (observed < bestObserved) {
          bestObserved = observed;
          bestTrue = truth;
        }
        results.add(new TrialResult(t.id(), TrialStatus.COMPLETED, 100, 100L, Map.of(METRIC.name(), observed),
            List.of(), t.params(), t.seed(), null, null, 0));
      }
    }
    if (results.size() != trials) {
      throw new AssertionError(results.size() + " trials instead of " + trials);
    }
    return bestTrue;
  }

  static double gaussian(SplittableRandom random) {
    return Math.sqrt(-2 * Math.log(1.0 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  @Test
  void compare() throws IOException, InterruptedException {
    Map<String, List<Double>> scores = new LinkedHashMap<>();
    for (Objective objective : List.of(ISSUE, WIDE)) {
      for (int trials : TRIALS) {
        for (Map.Entry<String, Search> search : searches().entrySet()) {
          List<Double> runs = new ArrayList<>();
          for (long seed = 1; seed <= SEEDS; seed++) {
            runs.add(run(objective, search.getValue(), trials, seed));
          }
          scores.put(objective.name() + "|" + trials + "|" + search.getKey(), runs);
        }
      }
    }
    for (JsonNode line : optunaResults()) {
      scores.computeIfAbsent(line.get("objective").asText() + "|" + line.get("trials").asInt() + "|"
          + line.get("sampler").asText(), k -> new ArrayList<>()).add(line.get("best").asDouble());
    }
    print(scores);
  }

  static void print(Map<String, List<Double>> scores) {
    for (Objective objective : List.of(ISSUE, WIDE)) {
      for (int trials : TRIALS) {
        String prefix = objective.name() + "|" + trials + "|";
        double baseline = Double.NaN;
        System.out.printf(Locale.ROOT, "%n%s, %d trials, %d seeds: noise-free value of the best observed trial (lower is better)%n",
            objective.name(), trials, SEEDS);
        System.out.printf(Locale.ROOT, "| %-34s | %7s | %7s | %15s | %s |%n", "search", "median", "mean", "quartiles", "median regret / random's");
        for (Map.Entry<String, List<Double>> e : scores.entrySet()) {
          if (!e.getKey().startsWith(prefix)) {
            continue;
          }
          double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
          double median = quantile(v, 0.5);
          double minimum = objective == ISSUE ? 3.3 : 0.5;
          if (Double.isNaN(baseline)) {
            baseline = median - minimum;
          }
          System.out.printf(Locale.ROOT, "| %-34s | %7.4f | %7.4f | %6.4f..%6.4f | %.2f |%n", e.getKey().substring(prefix.length()),
              median, Arrays.stream(v).average().orElse(Double.NaN), quantile(v, 0.25), quantile(v, 0.75),
              (median - minimum) / baseline);
        }
      }
    }
  }

  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Optuna's runs: from {@code -Dbeamtrain.tpe.optunaResults}, else by running the script; empty without Optuna. */
  static List<JsonNode> optunaResults() throws IOException, InterruptedException {
    String given = System.getProperty("beamtrain.tpe.optunaResults");
    List<String> lines;
    if (given != null) {
      lines = Files.readAllLines(Path.of(given));
    } else {
      Path script = Path.of("..", "benchmarks", "optuna", "synthetic.py");
      if (!Files.exists(Path.of("/usr/bin/python3")) || !Files.exists(script)) {
        System.out.println("Optuna's side skipped: /usr/bin/python3 or " + script + " missing");
        return List.of();
      }
      Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), "--seeds=1-" + SEEDS)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines = out.lines().toList();
      }
      if (process.waitFor() != 0) {
        System.out.println("Optuna's side skipped: synthetic.py exited with " + process.exitValue());
        return List.of();
      }
    }
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        nodes.add(json.readTree(line));
      }
    }
    return nodes;
  }
}
