package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.SaverGraph;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.Seeds;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.model.TrainingGraph;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A trial's {@link TrainingGraph} in a live {@link Session}, with the save/restore subgraph, and
 * the hot loop: {@link #step} copies a batch into feed tensors allocated once, feeds the learning
 * rate and dropout seed of that step and runs the train op, fetching the loss only when asked.
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
   * it with {@code config} (see {@link #threadConfig}). Variables are initialised on the first
   * run unless restored before.
   */
  public static TrainingSession open(
      ModelSpec spec, long seed, LearningRateSchedule schedule, ConfigProto config) {
    return new TrainingSession(spec, seed, schedule, config);
  }

  /**
   * A session config with these thread counts. TensorFlow sizes the intra-op pool once per process
   * (from the first session), so trials of one JVM should agree on it; the inter-op pool is per
   * session.
   */
  public static ConfigProto threadConfig(int intraOpThreads, int interOpThreads) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(interOpThreads)
        .setUsePerSessionThreads(true)
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
    float rate = (float) schedule.rateAt(step);
    if (rate != fedRate) {
      learningRate.setFloat(rate);
      fedRate = rate;
    }
    Session.Runner runner =
        session
            .runner()
            .feed(model.features(), features)
            .feed(model.labels(), classIds != null ? classIds : targets)
            .feed(model.learningRate(), learningRate)
            .addTarget(model.train());
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
