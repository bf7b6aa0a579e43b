package io.beamtrain.trainer.model.optimizers;

import io.beamtrain.trainer.model.variables.NamedVariables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The tensorflow-framework {@link Optimizer} skeleton ({@code minimize -> computeGradients ->
 * applyGradients}, subclasses fill {@code applyDense}) with a learning rate that is a graph
 * operand, fed per step from a {@code LearningRateSchedule}.
 *
 * <p>Why not the framework's {@code Adam}, {@code Momentum}, ... directly: in 1.1.0 they take the
 * learning rate as a {@code float} constant (no schedules), and their slot names ({@code
 * <variable>-m}) are rejected by TF Java's name scopes as soon as the variable name contains a
 * {@code /} ({@code dense_0/kernel}). Slots here carry Python's names ({@code
 * dense_0/kernel/Adam}, {@code dense_0/kernel/Adam_1}, {@code beta1_power}), so a checkpoint reads
 * like one written by {@code tf.compat.v1.train.AdamOptimizer}.
 *
 * <p>{@link #minimize} differentiates the loss with respect to every variable in the graph at that
 * moment, so build the optimizer right after the model's variables. Not thread-safe (graph
 * building is single-threaded).
 */
public abstract class ScheduledOptimizer extends Optimizer {
  private final Operand<TFloat32> learningRate;
  private final String slotSuffix;
  private final Map<String, Output<TFloat32>> slots = new HashMap<>();

  /**
   * @param name the optimizer's name, also the suffix of its slot variables
   * @param learningRate a float scalar, typically a placeholder fed each step
   */
  protected ScheduledOptimizer(Graph graph, String name, Operand<TFloat32> learningRate) {
    super(graph, name);
    this.learningRate = learningRate;
    this.slotSuffix = name;
  }

  /** The learning-rate operand given at construction. */
  protected final Operand<TFloat32> learningRate() {
    return learningRate;
  }

  /**
   * Adds the slot variable {@code <variable>/<name><suffix>} (e.g. {@code dense_0/kernel/Adam_1}
   * for suffix "_1"), filled with {@code initialValue}.
   */
  protected final Output<TFloat32> addSlot(Output<TFloat32> variable, String suffix, float initialValue) {
    String name = variable.op().name() + "/" + slotSuffix + suffix;
    Output<TFloat32> slot = NamedVariables.filled(tf, name, variable.shape(), initialValue);
    slots.put(variable.op().name() + "#" + suffix, slot);
    return slot;
  }

  /** A slot created by {@link #addSlot} for {@code variable}. */
  protected final Output<TFloat32> slot(Output<TFloat32> variable, String suffix) {
    Output<TFloat32> slot = slots.get(variable.op().name() + "#" + suffix);
    if (slot == null) {
      throw new IllegalStateException("no slot '" + suffix + "' for " + variable.op().name());
    }
    return slot;
  }

  @Override
  @SuppressWarnings("unchecked")
  protected final void createSlots(List<Output<? extends TType>> variables) {
    for (Output<? extends TType> variable : variables) {
      createSlotsFor((Output<TFloat32>) variable);
    }
    createGlobals();
  }

  /** Creates the per-variable slots; none by default. */
  protected void createSlotsFor(Output<TFloat32> variable) {}

  /** Creates optimizer-wide variables (Adam's beta powers); none by default. */
  protected void createGlobals() {}

  @Override
  @SuppressWarnings("unchecked")
  protected final <T extends TType> Op applyDense(Ops deps, Output<T> gradient, Output<T> variable) {
    return applyFloat(deps, (Output<TFloat32>) gradient, (Output<TFloat32>) variable, learningRate);
  }

  /**
   * One more update of {@code variables} and their existing slots (created by {@link #minimize})
   * from {@code gradients} computed elsewhere, at {@code learningRate}: a later step of an
   * unrolled block of steps. Built as {@link #applyGradients} builds the first: every update runs
   * after every gradient and after {@code after}, then {@link #finish} (Adam's beta powers).
   *
   * @param gradients the gradient of each of {@code variables}, in the same order
   * @return the op of the whole update, named {@code name}
   */
  public final Op applyUpdate(
      List<Output<TFloat32>> gradients,
      List<Output<TFloat32>> variables,
      Operand<TFloat32> learningRate,
      List<Op> after,
      String name) {
    List<Op> dependencies = new ArrayList<>(after);
    dependencies.addAll(gradients);
    Ops deps = tf.withControlDependencies(dependencies);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      updates.add(applyFloat(deps, gradients.get(i), variables.get(i), learningRate));
    }
    return finish(updates, name);
  }

  /**
   * The op named {@code name} that runs after {@code updateOperations}: the framework's, built
   * in the optimizer's scope rather than a new root scope, which TF Java would seed by scanning
   * every op of the graph (once per step of an unrolled block).
   */
  @Override
  protected Op finish(List<Op> updateOperations, String name) {
    return tf.withName(name).withControlDependencies(updateOperations).noOp();
  }

  /** The update of one float variable from its gradient at {@code learningRate}. */
  protected abstract Op applyFloat(
      Ops deps, Output<TFloat32> gradient, Output<TFloat32> variable, Operand<TFloat32> learningRate);
}
