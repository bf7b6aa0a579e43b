package io.beamtrain.trainer.model;

import io.beamtrain.trainer.model.optimizers.ScheduledOptimizer;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The training graph of one trial. Inputs (placeholders): {@code features} {@code [-1, width]},
 * {@code labels} {@code [-1]}, {@code learning_rate} (scalar, defaults to the hyperparameter
 * {@code learning_rate}) and, when dropout is on, {@code
 * dropout_seed} ({@code [2]} int64). Outputs: {@code loss} (mean batch loss plus L2), the target
 * {@code train} (one optimizer update), and an inference pass without dropout for evaluation:
 * {@code eval/loss} (per-example loss, no L2) and {@code eval/output} (probabilities {@code [-1,
 * K]} or predictions {@code [-1]}).
 *
 * <p>{@link #addBlock} adds k of these training steps unrolled into one op ({@link StepBlock}).
 *
 * <p>Built in this order so that the optimizer differentiates with respect to the model's
 * variables only: network variables, forward passes and loss, optimizer (slots), nothing else.
 */
public final class TrainingGraph {
  public static final String FEATURES = "features";
  public static final String LABELS = "labels";
  public static final String LEARNING_RATE = "learning_rate";
  public static final String DROPOUT_SEED = "dropout_seed";
  public static final String LOSS = "loss";
  public static final String TRAIN = "train";
  public static final String EVAL_LOSS = "eval_loss";
  public static final String EVAL_OUTPUT = "eval_output";

  private final ModelSpec spec;
  private final Network network;
  private final Operand<TFloat32> features;
  private final Operand<?> labels;
  private final Operand<TFloat32> learningRate;
  private final Operand<TInt64> dropoutSeed;
  private final Operand<TFloat32> loss;
  private final Op train;
  private final Operand<TFloat32> evalLoss;
  private final Operand<TFloat32> evalOutput;
  private final Graph graph;
  private final ScheduledOptimizer optimizer;
  private final double dropoutRate;

  private TrainingGraph(Graph graph, ModelSpec spec, long seed) {
    this.spec = spec;
    Ops tf = Ops.create(graph);
    // A linear model has no hidden units to drop.
    double dropoutRate = spec.params().hiddenLayers().isEmpty() ? 0 : spec.params().dropout();
    features =
        tf.withName(FEATURES)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, spec.inputWidth())));
    labels = spec.head().labelsPlaceholder(tf, LABELS);
    // Fed only when the schedule decays: a constant rate needs no feed in the hot loop.
    learningRate =
        tf.withName(LEARNING_RATE)
            .placeholderWithDefault(
                tf.constant((float) spec.params().learningRate()), Shape.scalar());
    dropoutSeed =
        dropoutRate > 0
            ? tf.withName(DROPOUT_SEED).placeholder(TInt64.class, Placeholder.shape(Shape.of(2)))
            : null;

    network = spec.createNetwork(tf, seed);

    Ops trainScope = tf.withSubScope("training");
    Dropout dropout = dropoutSeed == null ? null : new Dropout(dropoutRate, dropoutSeed);
    // The last op is named "loss" itself (no Identity): every op on this path runs forward and
    // backward each step.
    loss = trainingLoss(tf.withName(LOSS), trainScope, network, features, labels, dropout);

    Ops evalScope = tf.withSubScope("evaluation");
    Operand<TFloat32> evalLogits = network.logits(evalScope, features, null);
    evalLoss =
        tf.withName(EVAL_LOSS).identity(spec.head().perExampleLoss(evalScope, evalLogits, labels));
    evalOutput = tf.withName(EVAL_OUTPUT).identity(spec.head().output(evalScope, evalLogits));

    optimizer = spec.params().optimizer().create(graph, learningRate, spec.params().effectiveMomentum());
    train = optimizer.minimize(loss, TRAIN);
    this.graph = graph;
    this.dropoutRate = dropoutRate;
  }

  /**
   * The loss of one training step: the mean per-example loss of a pass with {@code dropout}
   * (null: none), plus L2 on the kernels; its last op is built with {@code named}.
   */
  private Operand<TFloat32> trainingLoss(
      Ops named, Ops scope, Network net, Operand<TFloat32> x, Operand<?> y, Dropout dropout) {
    double l2 = spec.params().l2();
    Operand<TFloat32> logits = net.logits(scope, x, dropout);
    Operand<TFloat32> perExample = spec.head().perExampleLoss(scope, logits, y);
    if (l2 <= 0) {
      return named.math.mean(perExample, scope.constant(0));
    }
    Operand<TFloat32> penalty = null;
    for (Output<TFloat32> kernel : net.kernels()) {
      Operand<TFloat32> term = scope.nn.l2Loss(kernel);
      penalty = penalty == null ? term : scope.math.add(penalty, term);
    }
    return named.math.add(
        scope.math.mean(perExample, scope.constant(0)),
        scope.math.mul(scope.constant((float) l2), penalty));
  }

  /**
   * Adds {@code steps} training steps unrolled into one op (see {@link StepBlock}): step {@code j}
   * reads the weights once step {@code j - 1} has updated them, and builds the same ops as {@link
   * #train} on the same variables and optimizer slots, so a block computes bit for bit what
   * {@code steps} runs of {@link #train} compute. Adds no variables.
   */
  public StepBlock addBlock(int steps) {
    if (steps < 2) {
      throw new IllegalArgumentException("a block has at least 2 steps, not " + steps);
    }
    Ops tf = Ops.create(graph).withSubScope("steps_" + steps);
    Operand<TFloat32> blockFeatures =
        tf.withName(FEATURES)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(steps, -1, spec.inputWidth())));
    Operand<?> blockLabels = stacked(tf.withName(LABELS), labels.asOutput().type(), steps);
    Operand<TFloat32> blockRates =
        tf.withName(LEARNING_RATE)
            .placeholderWithDefault(
                tf.fill(tf.constant(new long[] {steps}), tf.constant((float) spec.params().learningRate())),
                Shape.of(steps));
    Operand<TInt64> blockSeeds =
        dropoutSeed == null
            ? null
            : tf.withName(DROPOUT_SEED).placeholder(TInt64.class, Placeholder.shape(Shape.of(steps, 2)));
    List<Output<TFloat32>> x = tf.unstack(blockFeatures, (long) steps).output();
    List<? extends Output<?>> y = unstack(tf, blockLabels, steps);
    List<Output<TFloat32>> rates = tf.unstack(blockRates, (long) steps).output();
    List<Output<TInt64>> seeds = blockSeeds == null ? null : tf.unstack(blockSeeds, (long) steps).output();
    List<Output<TFloat32>> variables = network.variables();
    List<Op> previous = List.of();
    Operand<TFloat32> stepLoss = null;
    Op stepTrain = null;
    for (int j = 0; j < steps; j++) {
      // One scope for all steps: TF Java's every new (sub)scope scans the whole graph for used
      // names, which would make building the block quadratic in its size.
      Ops afterPrevious = tf.withControlDependencies(previous);
      List<Output<TFloat32>> values = new ArrayList<>();
      for (Output<TFloat32> variable : variables) {
        values.add(afterPrevious.identity(variable).output());
      }
      Dropout dropout = seeds == null ? null : new Dropout(dropoutRate, seeds.get(j));
      stepLoss =
          trainingLoss(tf.withName(LOSS + "_" + j), tf, network.reading(values), x.get(j), y.get(j), dropout);
      Output<?>[] gradients = graph.addGradients(stepLoss.asOutput(), values.toArray(new Output<?>[0]));
      List<Output<TFloat32>> floatGradients = new ArrayList<>();
      for (Output<?> g : gradients) {
        floatGradients.add(g.expect(TFloat32.class));
      }
      // The update waits for the loss too: a fetched loss is the one before this step's update.
      stepTrain =
          optimizer.applyUpdate(
              floatGradients, variables, rates.get(j), List.of(stepLoss), "steps_" + steps + "_" + TRAIN + "_" + j);
      previous = List.of(stepTrain, stepLoss);
    }
    return new StepBlock(steps, blockFeatures, blockLabels, blockRates, blockSeeds, stepLoss, stepTrain);
  }

  private static <T extends TType> Operand<T> stacked(Ops named, Class<T> type, int steps) {
    return named.placeholder(type, Placeholder.shape(Shape.of(steps, -1)));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<? extends Output<?>> unstack(Ops tf, Operand<?> stacked, int steps) {
    return tf.unstack((Operand) stacked, (long) steps).output();
  }

  /** Builds the trial's graph into the empty {@code graph}; {@code seed} fixes the initial weights. */
  public static TrainingGraph build(Graph graph, ModelSpec spec, long seed) {
    return new TrainingGraph(graph, spec, seed);
  }

  public ModelSpec spec() {
    return spec;
  }

  public Network network() {
    return network;
  }

  public Operand<TFloat32> features() {
    return features;
  }

  public Operand<?> labels() {
    return labels;
  }

  public Operand<TFloat32> learningRate() {
    return learningRate;
  }

  /** The dropout seed placeholder, null when the model has no dropout. */
  public Operand<TInt64> dropoutSeed() {
    return dropoutSeed;
  }

  public Operand<TFloat32> loss() {
    return loss;
  }

  public Op train() {
    return train;
  }

  public Operand<TFloat32> evalLoss() {
    return evalLoss;
  }

  public Operand<TFloat32> evalOutput() {
    return evalOutput;
  }

  /** The trainable variables, the set a warm start restores. */
  public List<Output<TFloat32>> trainableVariables() {
    return network.variables();
  }
}
