package io.beamtrain.trainer.train;

import io.beamtrain.checkpointing.GraphCollections;
import io.beamtrain.checkpointing.SaverGraph;
import io.beamtrain.trainer.data.Batch;
import io.beamtrain.trainer.data.Seeds;
import io.beamtrain.trainer.model.ModelSpec;
import io.beamtrain.trainer.model.RegressionHead;
import io.beamtrain.trainer.model.StepBlock;
import io.beamtrain.trainer.model.TrainingGraph;
import io.beamtrain.trainer.model.optimizers.schedules.LearningRateSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
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

  private final GraphDef recordedGraph;
  private final StepBlock block;
  private final TFloat32 blockFeatures;
  private final FloatDataBuffer[] blockFeatureRows;
  private final TInt32 blockClassIds;
  private final IntDataBuffer[] blockClassIdRows;
  private final TFloat32 blockTargets;
  private final FloatDataBuffer[] blockTargetRows;
  private final TFloat32 blockRates;
  private final TInt64 blockSeeds;

  private TrainingSession(
      ModelSpec spec, long seed, LearningRateSchedule schedule, ConfigProto config, int stepsPerRun) {
    if (stepsPerRun < 1) {
      throw new IllegalArgumentException("stepsPerExecution must be >= 1, was " + stepsPerRun);
    }
    this.schedule = schedule;
    this.batchSize = spec.params().batchSize();
    this.dropoutSeedBase = Seeds.mix(seed, Seeds.DROPOUT_STREAM);
    Graph g = new Graph();
    try {
      this.model = TrainingGraph.build(g, spec, seed);
      this.saver = SaverGraph.build(g);
      // The .meta files record the one-step graph: the block is an execution detail, k copies of
      // the step that Python (import_meta_graph) has no use for.
      this.recordedGraph = stepsPerRun > 1 ? g.toGraphDef() : null;
      this.block = stepsPerRun > 1 ? model.addBlock(stepsPerRun) : null;
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
    int k = stepsPerRun;
    int width = spec.inputWidth();
    boolean blocks = block != null;
    blockFeatures = blocks ? TFloat32.tensorOf(Shape.of(k, batchSize, width)) : null;
    blockFeatureRows = blocks ? rows(blockFeatures.asRawTensor().data().asFloats(), k, (long) batchSize * width) : null;
    blockClassIds = blocks && classification ? TInt32.tensorOf(Shape.of(k, batchSize)) : null;
    blockClassIdRows = blockClassIds != null ? intRows(blockClassIds.asRawTensor().data().asInts(), k, batchSize) : null;
    blockTargets = blocks && !classification ? TFloat32.tensorOf(Shape.of(k, batchSize)) : null;
    blockTargetRows = blockTargets != null ? rows(blockTargets.asRawTensor().data().asFloats(), k, batchSize) : null;
    blockRates = blocks && !schedule.isConstant() ? TFloat32.tensorOf(Shape.of(k)) : null;
    blockSeeds = blocks && model.dropoutSeed() != null ? TInt64.tensorOf(Shape.of(k, 2)) : null;
    if (blockSeeds != null) {
      for (int j = 0; j < k; j++) {
        blockSeeds.setLong(dropoutSeedBase, j, 0);
      }
    }
  }

  private static FloatDataBuffer[] rows(FloatDataBuffer buffer, int k, long rowSize) {
    FloatDataBuffer[] rows = new FloatDataBuffer[k];
    for (int j = 0; j < k; j++) {
      rows[j] = buffer.slice(j * rowSize, rowSize);
    }
    return rows;
  }

  private static IntDataBuffer[] intRows(IntDataBuffer buffer, int k, long rowSize) {
    IntDataBuffer[] rows = new IntDataBuffer[k];
    for (int j = 0; j < k; j++) {
      rows[j] = buffer.slice(j * rowSize, rowSize);
    }
    return rows;
  }

  /**
   * Builds the graph of {@code spec} with initial weights from {@code seed} and opens a session on
   * it with {@code config} (see {@link #sessionConfig}). Variables are initialised on the first
   * run unless restored before.
   */
  public static TrainingSession open(
      ModelSpec spec, long seed, LearningRateSchedule schedule, ConfigProto config) {
    return new TrainingSession(spec, seed, schedule, config, 1);
  }

  /**
   * As {@link #open(ModelSpec, long, LearningRateSchedule, ConfigProto)}, with a {@link StepBlock}
   * of {@code stepsPerRun} steps for {@link #stage} and {@link #runBlock} when it is above 1.
   */
  public static TrainingSession open(
      ModelSpec spec, long seed, LearningRateSchedule schedule, ConfigProto config, int stepsPerRun) {
    return new TrainingSession(spec, seed, schedule, config, stepsPerRun);
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
    write(batch, featureBuffer, classIdBuffer, targetBuffer);
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

  /**
   * How many steps {@link #runBlock} trains in one run: the {@code stepsPerRun} this session was
   * opened with, 1 when it has no block.
   */
  public int stepsPerRun() {
    return block == null ? 1 : block.steps();
  }

  /** Copies {@code batch} into row {@code j} of the next block's feeds. */
  public void stage(int j, Batch batch) {
    write(
        batch,
        blockFeatureRows[j],
        blockClassIdRows != null ? blockClassIdRows[j] : null,
        blockTargetRows != null ? blockTargetRows[j] : null);
  }

  /**
   * {@link #stepsPerRun} optimizer updates in one run, numbered {@code firstStep} on, on the
   * batches {@link #stage staged} in rows 0, 1, ...: the same as that many {@link #step} calls,
   * bit for bit.
   *
   * @return the batch loss of the last step before its update when {@code fetchLoss}, else NaN
   */
  public float runBlock(long firstStep, boolean fetchLoss) {
    Session.Runner runner =
        session
            .runner()
            .feed(block.features(), blockFeatures)
            .feed(block.labels(), blockClassIds != null ? blockClassIds : blockTargets)
            .addTarget(block.train());
    int k = block.steps();
    if (blockRates != null) {
      for (int j = 0; j < k; j++) {
        blockRates.setFloat((float) schedule.rateAt(firstStep + j), j);
      }
      runner.feed(block.learningRates(), blockRates);
    }
    if (blockSeeds != null) {
      for (int j = 0; j < k; j++) {
        blockSeeds.setLong(firstStep + j, j, 1);
      }
      runner.feed(block.dropoutSeeds(), blockSeeds);
    }
    if (!fetchLoss) {
      runner.run().close();
      return Float.NaN;
    }
    runner.fetch(block.lastLoss());
    try (Result result = runner.run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** Copies a batch into feed buffers: features, and class ids or standardized targets. */
  private void write(Batch batch, FloatDataBuffer x, IntDataBuffer ids, FloatDataBuffer y) {
    x.write(batch.features());
    if (ids != null) {
      ids.write(batch.classIds());
    } else {
      float[] raw = batch.targets();
      for (int i = 0; i < batchSize; i++) {
        standardized[i] = regression.standardize(raw[i]);
      }
      y.write(standardized);
    }
  }

  /**
   * The graph the {@code .meta} files record: the graph without the block (null: {@link #graph}
   * as it is).
   */
  public GraphDef recordedGraph() {
    return recordedGraph;
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
      for (Tensor t : new Tensor[] {blockFeatures, blockClassIds, blockTargets, blockRates, blockSeeds}) {
        if (t != null) {
          t.close();
        }
      }
    }
  }
}
