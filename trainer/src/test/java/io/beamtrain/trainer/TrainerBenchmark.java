package io.beamtrain.trainer;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.data.DenseData;
import io.beamtrain.trainer.data.ExampleDataset;
import io.beamtrain.trainer.data.InMemoryBatchSource;
import io.beamtrain.trainer.data.Split;
import io.beamtrain.trainer.data.TransformSpec;
import io.beamtrain.trainer.testing.DataDirFixture;
import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
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
 * data: feed + train op and nothing else). Runs alternate and the median of {@value #ROUNDS} is
 * printed. Prints a table; asserts nothing about time.
 *
 * <p>Run: {@code mvn -Pbenchmarks verify -pl trainer -am -Dtest=TrainerBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class TrainerBenchmark {
  private static final int ROUNDS = 3;
  private static final int BATCH = 64;
  private static final int THREADS = 1;

  @TempDir Path dir;

  private record Row(String name, double examplesPerSecond, double evalShare, double checkpointShare) {}

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
      trainer(dataDir, params, 500, 100, 500, true, "warmup-" + model);

      double[] minimal = new double[ROUNDS];
      LoopTimings[] defaults = new LoopTimings[ROUNDS];
      LoopTimings[] sync = new LoopTimings[ROUNDS];
      LoopTimings[] bare = new LoopTimings[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        minimal[r] = minimalLoop(train, dataset.spec(), hidden, steps);
        defaults[r] =
            trainer(dataDir, params, steps, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
                TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, true, model + "-defaults-" + r);
        sync[r] =
            trainer(dataDir, params, steps, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
                TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, false, model + "-sync-" + r);
        bare[r] = trainer(dataDir, params, steps, steps, steps, true, model + "-bare-" + r);
      }
      rows.add(new Row(model + ": minimal TF Java loop", median(minimal), 0, 0));
      rows.add(row(model + ": trainer, default cadence", defaults));
      rows.add(row(model + ": trainer, sync checkpoints", sync));
      rows.add(row(model + ": trainer, eval+ckpt at end", bare));
    }
    System.out.printf(
        Locale.ROOT,
        "%nTrainerBenchmark: batch %d, %d intra/inter-op thread(s), eval every %d and checkpoint"
            + " every %d steps by default, median of %d%n",
        BATCH, THREADS, TrialSpec.DEFAULT_EVAL_EVERY_STEPS,
        TrialSpec.DEFAULT_CHECKPOINT_EVERY_STEPS, ROUNDS);
    System.out.printf(Locale.ROOT, "%-38s %14s %10s %12s %12s%n", "run", "examples/s", "x minimal", "eval share", "ckpt share");
    double baseline = 0;
    for (Row row : rows) {
      if (row.name().endsWith("minimal TF Java loop")) {
        baseline = row.examplesPerSecond();
      }
      System.out.printf(
          Locale.ROOT, "%-38s %14.0f %10.2f %11.1f%% %11.1f%%%n",
          row.name(), row.examplesPerSecond(), row.examplesPerSecond() / baseline,
          100 * row.evalShare(), 100 * row.checkpointShare());
    }
  }

  private static Row row(String name, LoopTimings[] runs) {
    return new Row(
        name,
        median(Arrays.stream(runs).mapToDouble(LoopTimings::examplesPerSecond).toArray()),
        median(Arrays.stream(runs).mapToDouble(t -> t.evalSeconds() / t.loopSeconds()).toArray()),
        median(Arrays.stream(runs).mapToDouble(t -> t.checkpointSeconds() / t.loopSeconds()).toArray()));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private LoopTimings trainer(
      String dataDir, Map<String, Object> params, long steps, long evalEvery, long checkpointEvery,
      boolean async, String trial) {
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
   * framework Adam at 0.01, batches cut contiguously from a shuffled copy of the data. Returns
   * examples per second over {@code steps} steps.
   */
  private static double minimalLoop(DenseData data, TransformSpec spec, List<Integer> hidden, int steps) {
    int width = data.width();
    int n = data.n();
    int[] order = InMemoryBatchSource.permutation(n, 1, 0);
    float[] x = new float[n * width];
    float[] y = new float[n];
    double mean = spec.label().mean();
    double stddev = spec.label().stddev();
    for (int i = 0; i < n; i++) {
      data.copyRow(order[i], x, i * width);
      y[i] = (float) ((data.targets()[order[i]] - mean) / stddev);
    }
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> features = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, width)));
      Placeholder<TFloat32> labels = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
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
                    tf.random.statelessRandomUniform(tf.constant(new long[] {in, out}), tf.constant(new long[] {7, l}), TFloat32.class),
                    tf.constant(limit)));
        Variable<TFloat32> b = tf.variable(tf.zeros(tf.constant(new long[] {out}), TFloat32.class));
        h = tf.nn.biasAdd(tf.linalg.matMul(h, w), b);
        if (l < layers.size() - 1) {
          h = tf.nn.relu(h);
        }
        in = out;
      }
      Operand<TFloat32> prediction = tf.reshape(h, tf.constant(new int[] {-1}));
      Operand<TFloat32> loss = tf.math.mean(tf.math.squaredDifference(prediction, labels), tf.constant(0));
      Op train = new Adam(graph, 0.01f).minimize(loss);
      ConfigProto config =
          ConfigProto.newBuilder()
              .setIntraOpParallelismThreads(THREADS)
              .setInterOpParallelismThreads(THREADS)
              .setUsePerSessionThreads(true)
              .build();
      try (Session session = new Session(graph, config);
          TFloat32 xt = TFloat32.tensorOf(Shape.of(BATCH, width));
          TFloat32 yt = TFloat32.tensorOf(Shape.of(BATCH))) {
        FloatDataBuffer xb = xt.asRawTensor().data().asFloats();
        FloatDataBuffer yb = yt.asRawTensor().data().asFloats();
        session.initialize();
        int batches = n / BATCH;
        DoubleSupplier clock = () -> System.nanoTime() / 1e9;
        double start = clock.getAsDouble();
        for (int s = 0; s < steps; s++) {
          int offset = (s % batches) * BATCH;
          xb.write(x, offset * width, BATCH * width);
          yb.write(y, offset, BATCH);
          session.runner().feed(features, xt).feed(labels, yt).addTarget(train).run().close();
        }
        return steps * (double) BATCH / (clock.getAsDouble() - start);
      }
    }
  }
}
