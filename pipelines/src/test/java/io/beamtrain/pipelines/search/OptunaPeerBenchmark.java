package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.commands.ExportPipeline;
import io.beamtrain.pipelines.commands.PreprocessPipeline;
import io.beamtrain.pipelines.commands.SweepPipeline;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.TrialSeeds;
import io.beamtrain.pipelines.sweep.SweepOutcome;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.testing.PenguinsData;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.train.TrainingListener;
import io.beamtrain.trainer.train.TrialRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * beamtrain's searches against Optuna's, side by side on real training (issue 20): the same
 * space (learning_rate 3e-4..0.3 LOG, hidden_units {16, 32, 64}, num_layers 1..3; adam, batch 32),
 * the same preprocessed data, the same trial seeds, {@value #TRIALS} trials per search, {@code R}
 * steps per trial ({@code -Dbeamtrain.peer.steps}, default {@value #DEFAULT_STEPS}, what fits about
 * half an hour on a shared 2-core machine; the issue ran 1,600) evaluated every {@code R / 9}.
 *
 * <p><b>Optuna's side.</b> {@code benchmarks/optuna/ask_tell.py} holds an Optuna study (TPE
 * default, TPE {@code multivariate=True}, TPE with a {@code HyperbandPruner} from {@code R / 9} to
 * {@code R} steps, eta 3, and random), and {@link OptunaStudyProcess} asks it for each trial in
 * turn, as {@code study.optimize} with one job would; each trial trains with beamtrain's own {@link
 * TrialRunner} (as a sweep's trial does) and Optuna is told its best eval metric, the value
 * beamtrain's searches rank by. Under the pruner every evaluation is reported ({@code trial.report})
 * and the trial stops where {@code should_prune} says so: intermediate values from one run, the way
 * Optuna's users prune, which costs Optuna nothing that beamtrain's ASHA would not pay (ASHA
 * resumes a promoted trial from its checkpoint, so neither re-trains a step).
 *
 * <p><b>beamtrain's side.</b> Real sweeps ({@link SweepPipeline}, {@code --deterministic}): RANDOM,
 * TPE (default settings, rounds of a quarter of the trials) and ASHA with TPE proposals (eta 3,
 * first rung {@code R / 9}, its default step budget: what successive halving would spend). On
 * request ({@link #EXTRA_SEARCHES}) TPE in rounds of 2 and of 1, to see what the rounds cost
 * against Optuna's sequential study.
 *
 * <p><b>Figures.</b> Per search: training steps, the best eval metric (eval_rmse; penguins
 * eval_loss), and the score of the model the search exports ({@code export} for Optuna's studies,
 * the sweep's own export for beamtrain's) on a test split no search saw: every fifth CSV row, held
 * out before preprocessing (RMSE; penguins accuracy). Medians over seeds with ranges; the summary is
 * printed again after every seed so a cut run still reports. Baseline: beamtrain's random search
 * in the same run.
 *
 * <p>Data: movies ({@code imdb_rating}, from {@code -Dbeamtrain.movies}, else {@code
 * data/movies.csv}, else the shared datasets folder), flights-20k ({@code delay}), penguins
 * ({@code species}). Seeds {@code -Dbeamtrain.peer.seeds=1,...,10} (the default: with five the medians moved by more than the gaps between searches); {@code
 * -Dbeamtrain.peer.searches=beamtrain TPE,...} runs only those rows (e.g. re-measure beamtrain's
 * after a sampler change: Optuna's rows do not depend on it).
 *
 * <p>{@code mvn -B -o -Pbenchmarks verify -pl pipelines -am -Dtest=OptunaPeerBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; add {@code -Djunit.jupiter.execution.parallel.enabled=true
 * -Djunit.jupiter.execution.parallel.mode.default=concurrent} to run the three data sets at once
 * (each prints its lines and tables whole).
 */
@Tag("benchmark")
class OptunaPeerBenchmark {
  static final int TRIALS = 16;
  static final int DEFAULT_STEPS = 270;
  static final int STEPS = Integer.getInteger("beamtrain.peer.steps", DEFAULT_STEPS);
  static final int ETA = 3;
  static final int MIN_BUDGET = STEPS / (ETA * ETA);
  static final int EVAL_EVERY = MIN_BUDGET;
  static final long[] SEEDS = Arrays.stream(System.getProperty("beamtrain.peer.seeds", "1,2,3,4,5,6,7,8,9,10").split(","))
      .mapToLong(s -> Long.parseLong(s.trim())).toArray();
  static final List<String> ALL_SEARCHES = List.of("beamtrain RANDOM", "beamtrain TPE", "beamtrain ASHA + TPE",
      "Optuna random", "Optuna TPE", "Optuna TPE mv", "Optuna TPE + Hyperband");
  /** Rows run only when named in {@code -Dbeamtrain.peer.searches}: what TPE's batched rounds cost. */
  static final List<String> EXTRA_SEARCHES = List.of("beamtrain TPE rounds of 2", "beamtrain TPE rounds of 1",
      "beamtrain ASHA + TPE from R/3");
  static final List<String> SEARCHES = System.getProperty("beamtrain.peer.searches") == null ? ALL_SEARCHES
      : Arrays.stream(System.getProperty("beamtrain.peer.searches").split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).toList();
  /** {@code -Dbeamtrain.peer.noise=N}: first retrain {@link #NOISE_PARAMS} with N trial seeds (see {@link #noiseFloor}). */
  static final int NOISE_SEEDS = Integer.getInteger("beamtrain.peer.noise", 0);
  /** A good configuration on all three data sets, retrained to see how far trial seeds alone move the metric. */
  static final Map<String, Object> NOISE_PARAMS = Map.of("learning_rate", 0.001, "hidden_units", 64, "num_layers", 2);
  static final Path DATA = Path.of("..", "data").toAbsolutePath().normalize();
  /** The shared datasets folder beside the worktrees ({@code /work/shared/datasets} from {@code /work/<worktree>/pipelines}). */
  static final Path SHARED = Path.of("..", "..", "shared", "datasets").toAbsolutePath().normalize();

  @TempDir static Path tmp;

  /** One data set: its CSV, label, ignored columns, the metric searched and how the test split is scored. */
  record Dataset(String name, Path csv, String label, List<String> ignore, String metric, boolean classification) {}

  @Test
  void movies() {
    Path movies = Path.of(System.getProperty("beamtrain.movies",
        Files.exists(DATA.resolve("movies.csv")) ? DATA.resolve("movies.csv").toString()
            : SHARED.resolve("movies.csv").toString()));
    Assumptions.assumeTrue(Files.exists(movies), movies + " not found");
    compare(new Dataset("movies", movies, "imdb_rating", List.of("release_date"), MetricSpec.EVAL_RMSE, false));
  }

  @Test
  void flights() {
    Path flights = DATA.resolve("flights-20k.csv");
    Assumptions.assumeTrue(Files.exists(flights), flights + " not found");
    compare(new Dataset("flights-20k", flights, "delay", List.of("date"), MetricSpec.EVAL_RMSE, false));
  }

  @Test
  void penguins() {
    Path csv = Path.of(PenguinsData.writeCsv(tmp.resolve("penguins-csv").toString(), StorageConfig.defaults()));
    compare(new Dataset("penguins", csv, "species", List.of(), MetricSpec.EVAL_LOSS, true));
  }

  static String study(String metric, String algorithm, long seed, String search) {
    return String.format(Locale.ROOT, """
        metric: {name: %s, goal: MINIMIZE}
        algorithm: %s
        maxTrials: %d
        seed: %d
        trainSteps: %d
        evalEverySteps: %d
        checkpointEverySteps: %d
        %s
        parameters:
          - {name: learning_rate, type: DOUBLE, min: 0.0003, max: 0.3, scale: LOG}
          - {name: hidden_units, type: DISCRETE, values: [16, 32, 64]}
          - {name: num_layers, type: INTEGER, min: 1, max: 3}
        fixed: {model: dnn, optimizer: adam, batch_size: 32}
        """, metric, algorithm, TRIALS, seed, STEPS, EVAL_EVERY, STEPS, search);
  }

  static final Map<String, Object> FIXED = Map.of("model", "dnn", "optimizer", "adam", "batch_size", 32);

  /** One search's outcome on one seed. */
  record Outcome(long steps, double bestEval, double heldOut, double seconds) {}

  private void compare(Dataset dataset) {
    Assumptions.assumeTrue(!SEARCHES.stream().anyMatch(s -> s.startsWith("Optuna")) || OptunaStudyProcess.available(),
        "Optuna's side needs " + OptunaStudyProcess.PYTHON + " with python3-optuna and " + OptunaStudyProcess.SCRIPT);
    Path dir = tmp.resolve(dataset.name());
    HeldOutRows heldOut = HeldOutRows.split(dataset.csv(), dir.resolve("train.csv"), dataset.label());
    Path prepared = dir.resolve("prepared");
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Preprocess", Preprocess.from(PreprocessSettings.of(dir.resolve("train.csv").toString(),
        prepared.toString(), dataset.label()).withIgnore(dataset.ignore())));
    PreprocessPipeline.runAndWait(pipeline);
    if (NOISE_SEEDS > 0) {
      noiseFloor(dataset, prepared, dir.resolve("noise"));
    }

    Map<String, List<Outcome>> outcomes = new LinkedHashMap<>();
    for (long seed : SEEDS) {
      for (String search : SEARCHES) {
        OutputLayout out = new OutputLayout(dir.resolve(search.replaceAll("[^A-Za-z0-9]+", "-") + "-" + seed).toString());
        long start = System.nanoTime();
        SweepOutcome outcome = search.startsWith("Optuna")
            ? optuna(search, dataset, prepared, out, seed)
            : beamtrain(search, dataset, prepared, out, seed);
        double seconds = (System.nanoTime() - start) / 1e9;
        long steps = outcome.results().stream().mapToLong(TrialResult::steps).sum();
        double score = dataset.classification() ? heldOut.accuracy(out.savedModel()) : heldOut.rmse(out.savedModel());
        Outcome o = new Outcome(steps, outcome.best().metric(dataset.metric()), score, seconds);
        outcomes.computeIfAbsent(search, k -> new ArrayList<>()).add(o);
        System.out.printf(Locale.ROOT, "%s seed %d %-24s: %d trials, %6d steps, best %s %s %.4f (%s), test %s %.4f,"
                + " %.0f s, load %s%n", dataset.name(), seed, search, outcome.results().size(), steps,
            outcome.best().trial(), dataset.metric(), o.bestEval(), outcome.best().params(), testName(dataset),
            score, seconds, loadAverage());
        if (Boolean.getBoolean("beamtrain.peer.trials")) {
          printTrials(dataset, seed, search, outcome);
        }
      }
      summary(dataset, outcomes);
    }
  }

  /**
   * The noise floor: one configuration trained with {@link #NOISE_SEEDS} trial seeds (weight
   * initialisation and batch order), nothing else changed. When the searches' medians differ by
   * less than this spread, which search is ahead is the luck of the seeds, not the sampler.
   */
  private static void noiseFloor(Dataset dataset, Path prepared, Path dir) {
    OutputLayout out = new OutputLayout(dir.toString());
    withData(prepared, out, study(dataset.metric(), "RANDOM", 1, ""));
    MetricSpec metric = new MetricSpec(dataset.metric(), Goal.MINIMIZE);
    TrialSettings settings = new TrialSettings(out, out.data(), metric, STEPS, EVAL_EVERY, STEPS, 0, 1, 1,
        StorageConfig.defaults(), true);
    double[] values = new double[NOISE_SEEDS];
    for (int i = 0; i < NOISE_SEEDS; i++) {
      SortedMap<String, Object> params = new TreeMap<>(FIXED);
      params.putAll(NOISE_PARAMS);
      Trial trial = new Trial(Trial.idOf(i), i, params, TrialSeeds.forTrial(1, i));
      values[i] = TrialRunner.run(settings.toTrialSpec(trial), TrainingListener.NONE).metric(dataset.metric());
    }
    double mean = Arrays.stream(values).average().orElse(Double.NaN);
    double sd = Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1));
    System.out.printf(Locale.ROOT, "%s noise floor: %s over %d trial seeds, best %s %s, sd %.4f, values %s%n",
        dataset.name(), NOISE_PARAMS, NOISE_SEEDS, dataset.metric(), spread(values), sd, Arrays.toString(values));
  }

  /** Every trial of one search ({@code -Dbeamtrain.peer.trials=true}): what the sampler chose and what it got. */
  private static void printTrials(Dataset dataset, long seed, String search, SweepOutcome outcome) {
    StringBuilder lines = new StringBuilder();
    for (TrialResult r : outcome.results()) {
      lines.append(String.format(Locale.ROOT, "  trial %s seed %d %s %s %s steps %d %s %.4f lr %.3g units %s layers %s%n",
          dataset.name(), seed, search.replace(' ', '_'), r.trial(), r.status(), r.steps(), dataset.metric(),
          r.metric(dataset.metric()), ((Number) r.params().get("learning_rate")).doubleValue(),
          r.params().get("hidden_units"), r.params().get("num_layers")));
    }
    System.out.print(lines);
  }

  private static String testName(Dataset dataset) {
    return dataset.classification() ? "accuracy" : "RMSE";
  }

  /** Prints the table in one call: the data sets may run in parallel (see the class comment). */
  private static void summary(Dataset dataset, Map<String, List<Outcome>> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    int seeds = outcomes.values().iterator().next().size();
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "%n%s: %d trials x %d steps (eval every %d), %d seed(s) of %s, load average %s%n", dataset.name(), TRIALS,
        STEPS, EVAL_EVERY, seeds, Arrays.toString(SEEDS), loadAverage()));
    table.append(String.format(Locale.ROOT, "| search | steps, median | best %s, median [range] | test %s of the"
        + " export, median [range] | steps / beamtrain random's |%n", dataset.metric(), testName(dataset)));
    table.append("| --- | --- | --- | --- | --- |\n");
    double baseline = outcomes.containsKey("beamtrain RANDOM")
        ? median(outcomes.get("beamtrain RANDOM").stream().mapToDouble(Outcome::steps).toArray()) : Double.NaN;
    for (Map.Entry<String, List<Outcome>> e : outcomes.entrySet()) {
      double[] steps = e.getValue().stream().mapToDouble(Outcome::steps).toArray();
      table.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %.2f |%n", e.getKey(), median(steps),
          spread(e.getValue().stream().mapToDouble(Outcome::bestEval).toArray()),
          spread(e.getValue().stream().mapToDouble(Outcome::heldOut).toArray()), median(steps) / baseline));
    }
    System.out.println(table);
  }

  static String spread(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", median(sorted), sorted[0], sorted[sorted.length - 1]);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  }

  /** A real beamtrain sweep on the prepared data: search, then its own export of the best trial. */
  private static SweepOutcome beamtrain(String search, Dataset dataset, Path prepared, OutputLayout out, long seed) {
    String study = switch (search) {
      case "beamtrain RANDOM" -> study(dataset.metric(), "RANDOM", seed, "");
      case "beamtrain TPE" -> study(dataset.metric(), "TPE", seed, "");
      case "beamtrain TPE rounds of 2" -> study(dataset.metric(), "TPE", seed, "search: {roundSize: 2}");
      case "beamtrain TPE rounds of 1" -> study(dataset.metric(), "TPE", seed, "search: {roundSize: 1}");
      case "beamtrain ASHA + TPE" -> study(dataset.metric(), "ASHA", seed,
          String.format(Locale.ROOT, "search: {eta: %d, minBudget: %d, sampler: TPE}", ETA, MIN_BUDGET));
      // The first rung at a third of the steps: fewer rungs, a ranking less biased to short-horizon winners.
      case "beamtrain ASHA + TPE from R/3" -> study(dataset.metric(), "ASHA", seed,
          String.format(Locale.ROOT, "search: {eta: %d, minBudget: %d, sampler: TPE}", ETA, STEPS / ETA));
      default -> throw new IllegalArgumentException("unknown search " + search);
    };
    Path studyFile = withData(prepared, out, study);
    return SweepPipeline.run(PipelineOptionsFactory.fromArgs(
            "--output=" + out.root(), "--study=" + studyFile, "--deterministic")
        .withValidation().as(SweepPipeline.Options.class));
  }

  /** An Optuna study proposing (and, with the pruner, stopping) trials that beamtrain's trainer runs; then {@code export}. */
  private static SweepOutcome optuna(String search, Dataset dataset, Path prepared, OutputLayout out, long seed) {
    String sampler = switch (search) {
      case "Optuna random" -> "random";
      case "Optuna TPE" -> "tpe";
      case "Optuna TPE mv" -> "tpe-mv";
      case "Optuna TPE + Hyperband" -> "tpe-hyperband";
      default -> throw new IllegalArgumentException("unknown search " + search);
    };
    Path studyFile = withData(prepared, out, study(dataset.metric(), "RANDOM", seed, ""));
    MetricSpec metric = new MetricSpec(dataset.metric(), Goal.MINIMIZE);
    // Deterministic and one trial at a time, like the --deterministic sweeps' trials.
    TrialSettings settings = new TrialSettings(out, out.data(), metric, STEPS, EVAL_EVERY, STEPS, 0, 1, 1,
        StorageConfig.defaults(), true);
    try (OptunaStudyProcess optuna = OptunaStudyProcess.start(sampler, seed, TRIALS, true, MIN_BUDGET, STEPS)) {
      for (int i = 0; i < TRIALS; i++) {
        SortedMap<String, Object> params = new TreeMap<>(FIXED);
        params.putAll(optuna.ask());
        Trial trial = new Trial(Trial.idOf(i), i, params, TrialSeeds.forTrial(seed, i));
        TrainingListener pruner = new TrainingListener() {
          @Override
          public String stopReason(long step, Map<String, Double> metrics) {
            Double value = metrics.get(dataset.metric());
            return value != null && Double.isFinite(value) && optuna.report(step, value)
                ? "pruned by Optuna's HyperbandPruner" : null;
          }
        };
        TrialResult r = TrialRunner.run(settings.toTrialSpec(trial),
            sampler.equals("tpe-hyperband") ? pruner : TrainingListener.NONE);
        if (r.status() == TrialStatus.COMPLETED && Double.isFinite(r.metric(dataset.metric()))) {
          optuna.tell(r.metric(dataset.metric()));
        } else if (r.status() == TrialStatus.STOPPED) {
          optuna.pruned();
        } else {
          optuna.failed();
        }
      }
    }
    return ExportPipeline.run(PipelineOptionsFactory.fromArgs("--output=" + out.root(), "--study=" + studyFile)
        .withValidation().as(ExportPipeline.Options.class));
  }

  /** Copies the prepared data into {@code out} and writes the study there; returns the study's path. */
  private static Path withData(Path prepared, OutputLayout out, String study) {
    try {
      Path root = Path.of(out.root());
      PbtBenchmark.copyTree(prepared.resolve("data"), root.resolve("data"));
      Path file = root.resolve("study.yaml");
      Files.writeString(file, study);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "n/a";
    }
  }
}
