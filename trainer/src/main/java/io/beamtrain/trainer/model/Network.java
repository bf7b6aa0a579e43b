package io.beamtrain.trainer.model;

import io.beamtrain.trainer.model.variables.NamedVariables;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The model's layers: hidden dense layers {@code dense_0, dense_1, ...} with an activation, then
 * the output layer {@code logits} (a linear model is just {@code logits}). Variables are {@code
 * <layer>/kernel} ({@code [in, out]}, Glorot uniform from {@code (seed, layer index)}) and {@code
 * <layer>/bias} (zeros): the names the checkpoint, the export graph and warm starts rely on.
 *
 * <p>Variables are created once; {@link #logits} can be applied several times (a training pass
 * with dropout, an inference pass without) and all passes share them.
 */
public final class Network {
  public static final String OUTPUT_LAYER = "logits";

  /** One dense layer's variables. */
  public record Dense(String name, Output<TFloat32> kernel, Output<TFloat32> bias) {
    Dense reading(Operand<TFloat32> kernelValue, Operand<TFloat32> biasValue) {
      return new Dense(name, kernelValue.asOutput(), biasValue.asOutput());
    }

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias);
    }
  }

  private final List<Dense> hidden;
  private final Dense output;
  private final Activation activation;

  private Network(List<Dense> hidden, Dense output, Activation activation) {
    this.hidden = List.copyOf(hidden);
    this.output = output;
    this.activation = activation;
  }

  /**
   * Creates the variables of a network from {@code inputWidth} features through {@code
   * hiddenWidths} (empty: linear) to {@code outputWidth} logits.
   */
  public static Network create(
      Ops tf,
      int inputWidth,
      List<Integer> hiddenWidths,
      Activation activation,
      int outputWidth,
      long seed) {
    List<Dense> hidden = new ArrayList<>();
    int width = inputWidth;
    for (int i = 0; i < hiddenWidths.size(); i++) {
      hidden.add(dense(tf, "dense_" + i, width, hiddenWidths.get(i), seed, i));
      width = hiddenWidths.get(i);
    }
    Dense output = dense(tf, OUTPUT_LAYER, width, outputWidth, seed, hiddenWidths.size());
    return new Network(hidden, output, activation);
  }

  private static Dense dense(Ops tf, String name, int in, int out, long seed, int layer) {
    Shape kernelShape = Shape.of(in, out);
    Output<TFloat32> kernel =
        NamedVariables.create(
            tf, name + "/kernel", kernelShape, GlorotUniform.values(tf, kernelShape, seed, layer));
    Output<TFloat32> bias = NamedVariables.filled(tf, name + "/bias", Shape.of(out), 0f);
    return new Dense(name, kernel, bias);
  }

  /**
   * The same layers reading {@code values} (one per {@link #variables()}, in that order) in place
   * of the variables: the weights as a later step of an unrolled block sees them.
   */
  Network reading(List<? extends Operand<TFloat32>> values) {
    if (values.size() != 2 * (hidden.size() + 1)) {
      throw new IllegalArgumentException(
          "expected " + 2 * (hidden.size() + 1) + " values, one per variable, got " + values.size());
    }
    List<Dense> read = new ArrayList<>();
    for (int i = 0; i < hidden.size(); i++) {
      read.add(hidden.get(i).reading(values.get(2 * i), values.get(2 * i + 1)));
    }
    int last = 2 * hidden.size();
    return new Network(read, output.reading(values.get(last), values.get(last + 1)), activation);
  }

  /** The forward pass; {@code dropout} null means inference (no units dropped). */
  public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> features, Dropout dropout) {
    Operand<TFloat32> x = features;
    for (int i = 0; i < hidden.size(); i++) {
      x = activation.apply(tf, hidden.get(i).apply(tf, x));
      if (dropout != null) {
        x = dropout.apply(tf, x, i);
      }
    }
    return output.apply(tf, x);
  }

  /** Every kernel (the weights L2 applies to; biases are not regularized, as in Keras). */
  public List<Output<TFloat32>> kernels() {
    List<Output<TFloat32>> out = new ArrayList<>();
    hidden.forEach(d -> out.add(d.kernel()));
    out.add(output.kernel());
    return out;
  }

  /** Every trainable variable, in layer order. */
  public List<Output<TFloat32>> variables() {
    List<Output<TFloat32>> out = new ArrayList<>();
    for (Dense d : hidden) {
      out.add(d.kernel());
      out.add(d.bias());
    }
    out.add(output.kernel());
    out.add(output.bias());
    return out;
  }
}
