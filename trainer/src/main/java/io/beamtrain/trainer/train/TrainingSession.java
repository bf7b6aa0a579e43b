package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.GraphCollections;
import io.beamtrain.checkpointing.SaverGraph;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.Seeds;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.model.RegressionHead;
import io.beamtrain.trainer.model.TrainingGraph;
import io.beamtrain.trainer.model.optimizers.schedules.LearningRateSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A trial's {@link TrainingGraph} in a live {@link Session}, with the save/restore subgraph, and
 * the hot loop: {@link #step} copies a batch into feed tensors allocated once, feeds the learning
 * rate (only when it decays) and dropout seed of that step and runs the train op, fetching the
 * loss only when asked.
 *
 * <p>Everything a step does is a function of (weights, step, batch): the learning rate comes from
 * the schedule and the dropout seed from (seed, step), so a session restored from the checkpoint
 * of step {@code s} continues exactly as the original would have.
 *
 * <p>Owns the graph, the session and the tensors; close it. Not thread-safe.
 */
public final class TrainingSession implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingSession.class);

  private final Graph graph;
  private final TrainingGraph model;
  private final SaverGraph saver;
  private final Session session;
  private final LearningRateSchedule schedule;
  private final long dropoutSeedBase;
  private final int batchSize;

  private final TFloat32 features;
  private final FloatDataBuffer featureBuffer;
  private final TInt32 classIds;
  private final IntDataBuffer classIdBuffer;
  private final TFloat32 targets;
  private final FloatDataBuffer targetBuffer;
  private final RegressionHead regression;
  private final float[] standardized;
  private final TFloat32 learningRate;
  private final TInt64 dropoutSeed;
  private float fedRate = Float.NaN;

  private TrainingSession(
      ModelSpec spec, long seed, LearningRateSchedule schedule, ConfigProto config) {
    this.schedule = schedule;
    this.batchSize = spec.params().batchSize();
    this.dropoutSeedBase = Seeds.mix(seed, Seeds.DROPOUT_STREAM);
    Graph g = new Graph();
    try {
      this.model = TrainingGraph.build(g, spec, seed);
      this.saver = SaverGraph.build(g);
      this.session = new Session(g, config);
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    this.graph = g;
    boolean classification = !(spec.head() instanceof RegressionHead);
    features = TFloat32.tensorOf(Shape.of(batchSize, spec.inputWidth()));
    featureBuffer = features.asRawTensor().data().asFloats();
    classIds = classification ? TInt32.tensorOf(Shape.of(batchSize)) : null;
    classIdBuffer = classification ? classIds.asRawTensor().data().asInts() : null;
    targets = classification ? null : TFloat32.tensorOf(Shape.of(batchSize));
    targetBuffer = classification ? null : targets.asRawTensor().data().asFloats();
    regression = classification ? null : (RegressionHead) spec.head();
    standardized = classification ? null : new float[batchSize];
    learningRate = TFloat32.scalarOf((float) schedule.rateAt(0));
    dropoutSeed = model.dropoutSeed() != null ? TInt64.vectorOf(dropoutSeedBase, 0) : null;
  }

  /**
   * Builds the graph of {@code spec} with initial weights from {@code seed} and opens a session on
   * it with {@code config} (see {@link #sessionConfig}). Variables are initialised on the first
   * run unless restored before.
   */
  public static TrainingSession open(
      ModelSpec spec, long seed, LearningRateSchedule schedule, ConfigProto config) {
    return new TrainingSession(spec, seed, schedule, config);
  }

  /** {@link #sessionConfig(int, int, boolean)} that warns, not fails, on a shared pool of another size. */
  public static ConfigProto sessionConfig(int intraOpThreads, int interOpThreads) {
    return sessionConfig(intraOpThreads, interOpThreads, false);
  }

  /**
   * A session config with these thread counts, a per-session inter-op pool and without Grappler's
   * graph rewrites.
   *
   * <p>Grappler optimizes the graph again for every new (feeds, fetches, targets) combination a
   * session runs -- a trial runs five: train, train with loss, evaluate, snapshot, save -- which
   * cost 20-140 ms each on the 2-core build machine, against 3-9 ms without it, while the
   * steady-state step time of these small dense models showed no measurable difference: a net
   * loss for short trials.
   *
   * <p>The inter-op pool is per session, but unless {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true} is
   * in the process environment TensorFlow sizes the CPU intra-op pool once per process, from the
   * first session: later sessions share it whatever they ask for (see {@link IntraOpPool}).
   * Results depend on that size: TensorFlow's CPU kernels split matrix products and reductions by
   * pool size, and with more than one thread the split can even vary from run to run (measured:
   * penguins, batch 256, 256 units, 600 steps; at batch 32 and 64 units the ops are too small to be
   * split). One thread is the only size that gives the same bits everywhere.
   *
   * @param exactIntraOp when the intra-op pool this session would really run on has another size
   *     than {@code intraOpThreads}: true throws {@link IllegalStateException} (a deterministic
   *     trial must not run on a pool of another size), false logs a warning
   */
  public static ConfigProto sessionConfig(int intraOpThreads, int interOpThreads, boolean exactIntraOp) {
    return sessionConfig(IntraOpPool.PROCESS, intraOpThreads, interOpThreads, exactIntraOp);
  }

  static ConfigProto sessionConfig(
      IntraOpPool pool, int intraOpThreads, int interOpThreads, boolean exactIntraOp) {
    int granted = pool.claim(intraOpThreads);
    if (granted != intraOpThreads) {
      String message = "TensorFlow's intra-op pool of this process has " + granted
          + " threads (set by its first session), not the " + intraOpThreads + " asked for now";
      if (exactIntraOp) {
        throw new IllegalStateException(message + ", and a deterministic trial needs exactly "
            + intraOpThreads + ": run it in a fresh JVM, or with " + IntraOpPool.PER_SESSION_VARIABLE
            + "=true in the environment (a pool per session)");
      }
      LOG.warn("{}; the threads asked for cannot take effect", message);
    }
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(interOpThreads)
        .setUsePerSessionThreads(true)
        .setGraphOptions(
            GraphOptions.newBuilder()
                .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
        .build();
  }

  /**
   * One optimizer update: the update number {@code step} (0-based, so the global step becomes
   * {@code step + 1}) on {@code batch}, which must hold exactly {@code batch_size} rows.
   *
   * @return the batch loss before the update (with L2) when {@code fetchLoss}, else NaN
   */
  public float step(long step, Batch batch, boolean fetchLoss) {
    featureBuffer.write(batch.features());
    if (classIds != null) {
      classIdBuffer.write(batch.classIds());
    } else {
      float[] raw = batch.targets();
      for (int i = 0; i < batchSize; i++) {
        standardized[i] = regression.standardize(raw[i]);
      }
      targetBuffer.write(standardized);
    }
    Session.Runner runner =
        session
            .runner()
            .feed(model.features(), features)
            .feed(model.labels(), classIds != null ? classIds : targets)
            .addTarget(model.train());
    if (!schedule.isConstant()) {
      float rate = (float) schedule.rateAt(step);
      if (rate != fedRate) {
        learningRate.setFloat(rate);
        fedRate = rate;
      }
      runner.feed(model.learningRate(), learningRate);
    }
    if (dropoutSeed != null) {
      dropoutSeed.setLong(step, 1);
      runner.feed(model.dropoutSeed(), dropoutSeed);
    }
    if (!fetchLoss) {
      runner.run().close();
      return Float.NaN;
    }
    runner.fetch(model.loss());
    try (Result result = runner.run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** Makes sure the variables hold their initial values (a no-op once initialised or restored). */
  public void initialize() {
    session.initialize();
  }

  /** The learning rate of update {@code step}. */
  public double learningRateAt(long step) {
    return schedule.rateAt(step);
  }

  public int batchSize() {
    return batchSize;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public TrainingGraph model() {
    return model;
  }

  public SaverGraph saver() {
    return saver;
  }

  /**
   * What the {@code .meta} files record for Python to keep training: the network's weights as the
   * trainable variables (optimizer slots are only global) and {@link TrainingGraph#TRAIN} as the
   * train op.
   */
  public GraphCollections graphCollections() {
    return GraphCollections.of(
        model.trainableVariables().stream().map(v -> v.op().name()).toList(), model.train().op().name());
  }

  @Override
  public void close() {
    try (graph;
        session;
        features;
        learningRate) {
      if (classIds != null) {
        classIds.close();
      }
      if (targets != null) {
        targets.close();
      }
      if (dropoutSeed != null) {
        dropoutSeed.close();
      }
    }
  }
}
