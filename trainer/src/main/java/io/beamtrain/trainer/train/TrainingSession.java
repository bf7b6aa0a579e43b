package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.SaverGraph;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.Seeds;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.model.TrainingGraph;
import java.util.concurrent.atomic.AtomicInteger;
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
  /** Seed stream of the dropout masks (see {@link Seeds#mix}). */
  static final long DROPOUT_STREAM = 101;

  private static final Logger LOG = LoggerFactory.getLogger(TrainingSession.class);
  /** The intra-op thread count of this process's first session config, 0 before. */
  private static final AtomicInteger PROCESS_INTRA_OP_THREADS = new AtomicInteger();

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
  private final TFloat32 learningRate;
  private final TInt64 dropoutSeed;
  private float fedRate = Float.NaN;

  private TrainingSession(
      ModelSpec spec, long seed, LearningRateSchedule schedule, ConfigProto config) {
    this.schedule = schedule;
    this.batchSize = spec.params().batchSize();
    this.dropoutSeedBase = Seeds.mix(seed, DROPOUT_STREAM);
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
    boolean classification = spec.head().logitsWidth() > 1;
    features = TFloat32.tensorOf(Shape.of(batchSize, spec.inputWidth()));
    featureBuffer = features.asRawTensor().data().asFloats();
    classIds = classification ? TInt32.tensorOf(Shape.of(batchSize)) : null;
    classIdBuffer = classification ? classIds.asRawTensor().data().asInts() : null;
    targets = classification ? null : TFloat32.tensorOf(Shape.of(batchSize));
    targetBuffer = classification ? null : targets.asRawTensor().data().asFloats();
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

  /**
   * A session config with these thread counts and without Grappler's graph rewrites.
   *
   * <p>Grappler optimizes the graph again for every new (feeds, fetches, targets) combination a
   * session runs -- a trial runs five: train, train with loss, evaluate, snapshot, save -- which
   * cost 20-140 ms each on the 2-core build machine, against 3-9 ms without it, while the
   * steady-state step time of these small dense models showed no measurable difference: a net
   * loss for short trials. The inter-op pool is per session, but TensorFlow
   * sizes the CPU device's intra-op pool once per process, from the first session: later sessions
   * share it whatever they ask for (a warning says so). Results depend on that size in their last
   * bits -- TensorFlow's CPU kernels split reductions by pool size -- so runs are bit-identical
   * only on equal intra-op thread counts.
   */
  public static ConfigProto sessionConfig(int intraOpThreads, int interOpThreads) {
    int first = PROCESS_INTRA_OP_THREADS.compareAndExchange(0, intraOpThreads);
    if (first != 0 && first != intraOpThreads) {
      LOG.warn(
          "TensorFlow's intra-op pool of this process has {} threads (set by its first session);"
              + " the {} asked for now cannot take effect",
          first,
          intraOpThreads);
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
      targetBuffer.write(batch.targets());
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
