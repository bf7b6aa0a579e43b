package io.beamtrain.trainer.model;

import io.beamtrain.trainer.model.optimizers.ScheduledOptimizer;
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

/**
 * The training graph of one trial. Inputs (placeholders): {@code features} {@code [-1, width]},
 * {@code labels} {@code [-1]}, {@code learning_rate} (scalar, defaults to the hyperparameter
 * {@code learning_rate}) and, when dropout is on, {@code
 * dropout_seed} ({@code [2]} int64). Outputs: {@code loss} (mean batch loss plus L2), the target
 * {@code train} (one optimizer update), and an inference pass without dropout for evaluation:
 * {@code eval/loss} (per-example loss, no L2) and {@code eval/output} (probabilities {@code [-1,
 * K]} or predictions {@code [-1]}).
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

  private TrainingGraph(Graph graph, ModelSpec spec, long seed) {
    this.spec = spec;
    Ops tf = Ops.create(graph);
    // A linear model has no hidden units to drop.
    double dropoutRate = spec.params().hiddenLayers().isEmpty() ? 0 : spec.params().dropout();
    double l2 = spec.params().l2();
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
    Operand<TFloat32> trainLogits = network.logits(trainScope, features, dropout);
    Operand<TFloat32> perExample = spec.head().perExampleLoss(trainScope, trainLogits, labels);
    // The last op is named "loss" itself (no Identity): every op on this path runs forward and
    // backward each step.
    if (l2 > 0) {
      Operand<TFloat32> penalty = null;
      for (Output<TFloat32> kernel : network.kernels()) {
        Operand<TFloat32> term = trainScope.nn.l2Loss(kernel);
        penalty = penalty == null ? term : trainScope.math.add(penalty, term);
      }
      loss =
          tf.withName(LOSS)
              .math
              .add(
                  trainScope.math.mean(perExample, trainScope.constant(0)),
                  trainScope.math.mul(trainScope.constant((float) l2), penalty));
    } else {
      loss = tf.withName(LOSS).math.mean(perExample, trainScope.constant(0));
    }

    Ops evalScope = tf.withSubScope("evaluation");
    Operand<TFloat32> evalLogits = network.logits(evalScope, features, null);
    evalLoss =
        tf.withName(EVAL_LOSS).identity(spec.head().perExampleLoss(evalScope, evalLogits, labels));
    evalOutput = tf.withName(EVAL_OUTPUT).identity(spec.head().output(evalScope, evalLogits));

    ScheduledOptimizer optimizer =
        spec.params().optimizer().create(graph, learningRate, spec.params().effectiveMomentum());
    train = optimizer.minimize(loss, TRAIN);
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
