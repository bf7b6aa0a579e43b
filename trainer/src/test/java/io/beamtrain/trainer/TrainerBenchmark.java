package io.beamtrain.trainer;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.DenseData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.InMemoryBatchSource;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.testing.DataDirFixture;
import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import io.beamtrain.trainer.train.TrainingSession;
import io.beamtrain.trainer.train.TrialRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Trainer throughput on flights-200k (regression of {@code delay}; 160k train rows): examples per
 * second of {@link TrialRunner}'s loop -- with evaluation and checkpoints at the {@link TrialSpec}
 * defaults -- next to a minimal hand-written TF Java loop of the same model in the same JVM
 * (framework {@code Adam}, one reused feed tensor per input, contiguous batches of pre-shuffled
 * data: feed + train op and nothing else). Each trainer run sits between two minimal-loop runs
 * and is reported as a ratio to their mean; medians of {@value #ROUNDS} rounds. A second measure, robust
 * to a loaded machine: the two hot loops alone (the trainer's batch source and {@code
 * TrainingSession.step}), alternated in short slices. The trainer runs with automatic steps per
 * {@code Session.run} ({@code stepsPerExecution(0)}, see {@link
 * TrialSpec#effectiveStepsPerExecution()}) and, as the baseline of that, with the default one
 * step per run; the hot loop likewise. Prints a table; asserts nothing about time.
 *
 * <p>Run: {@code mvn -Pbenchmarks verify -pl trainer -am -Dtest=TrainerBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class TrainerBenchmark {
  private static final int ROUNDS = 5;
  private static final int BATCH = 64;
  private static final int THREADS = 1;
  private static final int SLICE_STEPS = 1000;
  private static final int SLICES = 30;

  @TempDir Path dir;

  /**
   * One line of the table; {@code ratio} is the median over rounds of this run's throughput over
   * the minimal loop's in the same round (adjacent runs share the machine's load of the moment).
   */
  private record Row(
      String name, double examplesPerSecond, double ratio, double evalShare, double checkpointShare) {}

  @Test
  void trainerVersusMinimalLoopOnFlights200k() throws Exception {
    Path csv = Path.of("..", "data", "flights-200k.csv");
    DataDirFixture.Builder source =
        Files.exists(csv)
            ? DataDirFixture.fromCsv(csv).label("delay")
            : DataDirFixture.syntheticRegression(200_000, 2, 1);
    long started = System.nanoTime();
    String dataDir = source.write(dir.resolve("data")).dataDir();
    ExampleDataset dataset = ExampleDataset.open(dataDir, StorageConfig.defaults());
    DenseData train = dataset.load(Split.TRAIN);
    System.out.printf(
        Locale.ROOT, "data: %s, %d train rows x %d features, written in %.1f s%n",
        Files.exists(csv) ? csv.normalize() : "synthetic", train.n(), train.width(),
        (System.nanoTime() - started) / 1e9);

    List<Row> rows = new ArrayList<>();
    for (String model : List.of("linear", "dnn")) {
      Map<String, Object> params =
          model.equals("linear") ? Map.of("model", "linear") : Map.of("hidden_layers", "64,64");
      List<Integer> hidden = model.equals("linear") ? List.of() : List.of(64, 64);
      int steps = model.equals("linear") ? 20_000 : 10_000;
      // Warm up both paths (JIT, TF kernels) before measuring.
      minimalLoop(train, dataset.spec(), hidden, 500);
      trainer(dataDir, params, 500, 100, 500, true, 0, "warmup-" + model);
      trainer(dataDir, params, 500, 100, 500, true, 1, "warmup-1-" + model);

      // Each trainer run sits between two minimal-loop runs and is compared with their mean, so
      // the ratio sees the machine's load of the moment.
      double[] minimal = new double[ROUNDS * 5];
      LoopTimings[] defaults = new LoopTimings[ROUNDS];
      LoopTimings[] oneStep = new LoopTimings[ROUNDS];
      LoopTimings[] sync = new LoopTimings[ROUNDS];
      LoopTimings[] bare = new LoopTimings[ROUNDS];
      double[][] around = new double[4][ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        minimal[5 * r] = minimalLoop(train, dataset.spec(), hidden, steps);
        defaults[r] =
            trainer(dataDir, params, steps, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
                TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, true, 0, model + "-defaults-" + r);
        minimal[5 * r + 1] = minimalLoop(train, dataset.spec(), hidden, steps);
        oneStep[r] =
            trainer(dataDir, params, steps, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
                TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, true, 1, model + "-one-step-" + r);
        minimal[5 * r + 2] = minimalLoop(train, dataset.spec(), hidden, steps);
        sync[r] =
            trainer(dataDir, params, steps, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
                TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, false, 0, model + "-sync-" + r);
        minimal[5 * r + 3] = minimalLoop(train, dataset.spec(), hidden, steps);
        bare[r] = trainer(dataDir, params, steps, steps, steps, true, 0, model + "-bare-" + r);
        minimal[5 * r + 4] = minimalLoop(train, dataset.spec(), hidden, steps);
        for (int k = 0; k < 4; k++) {
          around[k][r] = (minimal[5 * r + k] + minimal[5 * r + k + 1]) / 2;
        }
      }
      int perRun =
          TrialSpec.builder().dataDir("d").trialDir("t").trainSteps(steps).stepsPerExecution(0).build()
              .effectiveStepsPerExecution();
      rows.add(new Row(model + ": minimal TF Java loop", median(minimal), 1, 0, 0));
      rows.add(
          new Row(model + ": trainer hot loop, A/B slices", Double.NaN,
              hotLoopRatio(train, dataset.spec(), hidden, params, 1), 0, 0));
      rows.add(
          new Row(model + ": hot loop, " + perRun + " steps/run, A/B", Double.NaN,
              hotLoopRatio(train, dataset.spec(), hidden, params, perRun), 0, 0));
      rows.add(row(model + ": trainer, auto (" + perRun + " steps/run)", defaults, around[0]));
      rows.add(row(model + ": trainer, default (1 step/run)", oneStep, around[1]));
      rows.add(row(model + ": trainer, sync checkpoints", sync, around[2]));
      rows.add(row(model + ": trainer, eval+ckpt at end", bare, around[3]));
    }
    System.out.printf(
        Locale.ROOT,
        "%nTrainerBenchmark: batch %d, %d intra/inter-op thread(s); default cadence: evaluation and"
            + " checkpoint once per epoch = every %d steps; median of %d rounds%n",
        BATCH, THREADS, TrialSpec.builder().dataDir("d").trialDir("t").build()
            .evalEverySteps(train.n(), BATCH), ROUNDS);
    System.out.printf(
        Locale.ROOT, "load average %.1f on %d cores%n",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-42s %14s %10s %12s %12s%n", "run", "examples/s", "x minimal", "eval share", "ckpt share");
    for (Row row : rows) {
      System.out.printf(
          Locale.ROOT, "%-42s %14s %10.2f %11.1f%% %11.1f%%%n",
          row.name(),
          Double.isNaN(row.examplesPerSecond()) ? "-" : String.format(Locale.ROOT, "%.0f", row.examplesPerSecond()),
          row.ratio(), 100 * row.evalShare(), 100 * row.checkpointShare());
    }
  }

  private static Row row(String name, LoopTimings[] runs, double[] minimal) {
    double[] ratios = new double[runs.length];
    for (int r = 0; r < runs.length; r++) {
      ratios[r] = runs[r].examplesPerSecond() / minimal[r];
    }
    return new Row(
        name,
        median(Arrays.stream(runs).mapToDouble(LoopTimings::examplesPerSecond).toArray()),
        median(ratios),
        median(Arrays.stream(runs).mapToDouble(t -> t.evalSeconds() / t.loopSeconds()).toArray()),
        median(Arrays.stream(runs).mapToDouble(t -> t.checkpointSeconds() / t.loopSeconds()).toArray()));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * Whole trials, wall clock from {@code TrialRunner.run} to its return (graph and block build,
   * session, data, loop, evaluations, checkpoints, result files), at the default of one step per
   * run and with automatic steps per run, for trial lengths a sweep uses. The loop figures above
   * leave out what a block costs before the loop (building k copies of the step); this is the
   * figure that decides the default. Medians of {@value #ROUNDS} alternating rounds.
   */
  @Test
  void wholeTrialsAutomaticVersusOneStepPerRun() {
    Path csv = Path.of("..", "data", "flights-200k.csv");
    DataDirFixture.Builder source =
        Files.exists(csv)
            ? DataDirFixture.fromCsv(csv).label("delay")
            : DataDirFixture.syntheticRegression(200_000, 2, 1);
    String dataDir = source.write(dir.resolve("data")).dataDir();
    System.out.printf(Locale.ROOT, "%nWhole trials on %s, batch %d, default evaluation and checkpoint"
        + " cadence, load average %.1f; wall seconds, medians of %d rounds%n",
        Files.exists(csv) ? csv.normalize() : "synthetic", BATCH, loadAverage(), ROUNDS);
    System.out.println("model    steps  k(auto)  1 step/run   automatic   auto / 1");
    int trial = 0;
    for (String model : List.of("linear", "dnn")) {
      Map<String, Object> params =
          model.equals("linear") ? Map.of("model", "linear") : Map.of("hidden_layers", "64,64");
      trainer(dataDir, params, 500, 100, 500, true, 0, "whole-warmup-" + model);
      for (int steps : new int[] {2_000, 5_000, 20_000}) {
        double[] one = new double[ROUNDS];
        double[] auto = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
          long t0 = System.nanoTime();
          trainer(dataDir, params, steps, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
              TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, true, 1, "whole-" + trial++);
          long t1 = System.nanoTime();
          trainer(dataDir, params, steps, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
              TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, true, 0, "whole-" + trial++);
          long t2 = System.nanoTime();
          one[r] = (t1 - t0) / 1e9;
          auto[r] = (t2 - t1) / 1e9;
        }
        int k = TrialSpec.builder().dataDir("d").trialDir("t").trainSteps(steps).stepsPerExecution(0)
            .build().effectiveStepsPerExecution();
        double a = median(auto);
        double o = median(one);
        System.out.printf(Locale.ROOT, "%-7s %6d  %7d  %10.2f  %10.2f   %6.2f%n", model, steps, k, o, a, a / o);
      }
    }
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private LoopTimings trainer(
      String dataDir, Map<String, Object> params, long steps, long evalEvery, long checkpointEvery,
      boolean async, int stepsPerExecution, String trial) {
    LoopTimings[] timings = new LoopTimings[1];
    TrialRunner.run(
        TrialSpec.builder()
            .dataDir(dataDir)
            .trialDir(dir.resolve("trials").resolve(trial).toString())
            .params(params)
            .trainSteps(steps)
            .evalEverySteps(evalEvery)
            .checkpointEverySteps(checkpointEvery)
            .asyncCheckpoints(async)
            .stepsPerExecution(stepsPerExecution)
            .intraOpThreads(THREADS)
            .interOpThreads(THREADS)
            .build(),
        new TrainingListener() {
          @Override
          public void onLoopEnd(LoopTimings t) {
            timings[0] = t;
          }
        });
    return timings[0];
  }

  /**
   * The same model by hand: dense layers (ReLU) to one output, MSE on the z-scored target,
   * framework Adam at 0.01, batches cut contiguously from a copy of the data shuffled once: feed +
   * train op and nothing else.
   */
  private static final class MinimalLoop implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final Placeholder<TFloat32> features;
    private final Placeholder<TFloat32> labels;
    private final Op train;
    private final TFloat32 xt;
    private final TFloat32 yt;
    private final FloatDataBuffer xb;
    private final FloatDataBuffer yb;
    private final float[] x;
    private final float[] y;
    private final int width;
    private final int batches;
    private long step;

    MinimalLoop(DenseData data, TransformSpec spec, List<Integer> hidden) {
      width = data.width();
      int n = data.n();
      int[] order = InMemoryBatchSource.permutation(n, 1, 0);
      x = new float[n * width];
      y = new float[n];
      double mean = spec.label().mean();
      double stddev = spec.label().stddev();
      for (int i = 0; i < n; i++) {
        data.copyRow(order[i], x, i * width);
        y[i] = (float) ((data.targets()[order[i]] - mean) / stddev);
      }
      batches = n / BATCH;
      Ops tf = Ops.create(graph);
      features = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, width)));
      labels = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> h = features;
      int in = width;
      List<Integer> layers = new ArrayList<>(hidden);
      layers.add(1);
      for (int l = 0; l < layers.size(); l++) {
        int out = layers.get(l);
        float limit = (float) Math.sqrt(6.0 / (in + out));
        Variable<TFloat32> w =
            tf.variable(
                tf.math.mul(
                    tf.random.statelessRandomUniform(
                        tf.constant(new long[] {in, out}), tf.constant(new long[] {7, l}), TFloat32.class),
                    tf.constant(limit)));
        Variable<TFloat32> b = tf.variable(tf.zeros(tf.constant(new long[] {out}), TFloat32.class));
        h = tf.nn.biasAdd(tf.linalg.matMul(h, w), b);
        if (l < layers.size() - 1) {
          h = tf.nn.relu(h);
        }
        in = out;
      }
      Operand<TFloat32> prediction = tf.reshape(h, tf.constant(new int[] {-1}));
      Operand<TFloat32> loss =
          tf.math.mean(tf.math.squaredDifference(prediction, labels), tf.constant(0));
      train = new Adam(graph, 0.01f).minimize(loss);
      session =
          new Session(
              graph,
              ConfigProto.newBuilder()
                  .setIntraOpParallelismThreads(THREADS)
                  .setInterOpParallelismThreads(THREADS)
                  .setUsePerSessionThreads(true)
                  .build());
      xt = TFloat32.tensorOf(Shape.of(BATCH, width));
      yt = TFloat32.tensorOf(Shape.of(BATCH));
      xb = xt.asRawTensor().data().asFloats();
      yb = yt.asRawTensor().data().asFloats();
      session.initialize();
    }

    /** Runs {@code steps} steps; returns the seconds taken. */
    double run(int steps) {
      long start = System.nanoTime();
      for (int s = 0; s < steps; s++, step++) {
        int offset = (int) (step % batches) * BATCH;
        xb.write(x, offset * width, BATCH * width);
        yb.write(y, offset, BATCH);
        session.runner().feed(features, xt).feed(labels, yt).addTarget(train).run().close();
      }
      return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
      try (graph;
          session;
          xt;
          yt) {
        // closes all four
      }
    }
  }

  /**
   * The trainer's own hot loop without TrialRunner: batch source fill + TrainingSession step, or
   * with {@code perRun} above 1, fills staged into blocks of that many steps per run.
   */
  private static final class TrainerHotLoop implements AutoCloseable {
    private final TrainingSession session;
    private final InMemoryBatchSource batches;
    private final Batch batch;
    private final int perRun;
    private long step;

    TrainerHotLoop(DenseData data, TransformSpec spec, Map<String, Object> params, int perRun) {
      HyperParameters hp = HyperParameters.parse(params);
      this.perRun = perRun;
      session =
          TrainingSession.open(
              ModelSpec.of(hp, spec), 1, hp.schedule(1), TrainingSession.sessionConfig(THREADS, THREADS),
              perRun);
      batches = new InMemoryBatchSource(data, hp.batchSize(), 1);
      batch = batches.newBatch();
      session.initialize();
    }

    double run(int steps) {
      long start = System.nanoTime();
      if (perRun == 1) {
        for (int s = 0; s < steps; s++, step++) {
          batches.fill(step, batch);
          session.step(step, batch, false);
        }
      } else {
        for (int s = 0; s < steps; s += perRun, step += perRun) {
          for (int j = 0; j < perRun; j++) {
            batches.fill(step + j, batch);
            session.stage(j, batch);
          }
          session.runBlock(step, false);
        }
      }
      return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
      try (session;
          batches) {
        // closes both
      }
    }
  }

  /**
   * The hot loops alone, alternated in {@value #SLICE_STEPS}-step slices so both see the same
   * machine load: median seconds per slice of the minimal loop over the trainer's.
   */
  private static double hotLoopRatio(
      DenseData data, TransformSpec spec, List<Integer> hidden, Map<String, Object> params, int perRun) {
    try (MinimalLoop minimal = new MinimalLoop(data, spec, hidden);
        TrainerHotLoop trainer = new TrainerHotLoop(data, spec, params, perRun)) {
      minimal.run(SLICE_STEPS);
      trainer.run(SLICE_STEPS);
      double[] ratios = new double[SLICES];
      for (int i = 0; i < SLICES; i++) {
        double a = minimal.run(SLICE_STEPS);
        double b = trainer.run(SLICE_STEPS);
        ratios[i] = a / b;
      }
      return median(ratios);
    }
  }

  private static double minimalLoop(DenseData data, TransformSpec spec, List<Integer> hidden, int steps) {
    try (MinimalLoop loop = new MinimalLoop(data, spec, hidden)) {
      return steps * (double) BATCH / loop.run(steps);
    }
  }
}
