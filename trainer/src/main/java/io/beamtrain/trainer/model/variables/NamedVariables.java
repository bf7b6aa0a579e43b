package io.beamtrain.trainer.model.variables;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Creates float variables under exact, Python-style names ({@code dense_0/kernel}, {@code
 * dense_0/kernel/Adam}) with their initializer {@code <name>/Assign} in the graph's init scope.
 *
 * <p>Why not {@code Ops.variable}: TF Java's name scopes make every name unique per scope object
 * and reject {@code /} in names, so a variable and the ops under its name ({@code .../Assign},
 * optimizer slots) cannot be named the way Python names them. Checkpoint keys are variable names,
 * and the training graph, the export graph and Python readers must agree on them, so they are set
 * explicitly here. Creating a name twice fails in TensorFlow with a clear duplicate-name error.
 */
public final class NamedVariables {
  private NamedVariables() {}

  /**
   * Adds {@code VariableV2} named {@code name} of {@code shape}, initialized to {@code
   * initialValue} when the session initializes.
   */
  public static Output<TFloat32> create(
      Ops tf, String name, Shape shape, Operand<TFloat32> initialValue) {
    Scope init = tf.withInitScope().scope();
    Graph graph = (Graph) init.env();
    GraphOperation variable =
        graph
            .opBuilder("VariableV2", name, init)
            .setAttr("shape", shape)
            .setAttr("dtype", DataType.DT_FLOAT)
            .build();
    Output<TFloat32> output = variable.output(0);
    graph
        .opBuilder("Assign", name + "/Assign", init)
        .addInput(output)
        .addInput(initialValue.asOutput())
        .setAttr("validate_shape", true)
        .build();
    return output;
  }

  /** Adds a variable of {@code shape} whose every element starts at {@code value}. */
  public static Output<TFloat32> filled(Ops tf, String name, Shape shape, float value) {
    Ops init = tf.withInitScope();
    Operand<TFloat32> initial =
        shape.numDimensions() == 0
            ? init.constant(value)
            : init.fill(init.constant(shape.asArray()), init.constant(value));
    return create(tf, name, shape, initial);
  }
}
