package io.beamtrain.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Hidden-layer activation functions, hyperparameter {@code activation}. */
public enum Activation {
  RELU {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.nn.relu(x);
    }
  },
  RELU6 {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.nn.relu6(x);
    }
  },
  /** Leaky ReLU with TensorFlow's default slope 0.2 for negative inputs. */
  LEAKY_RELU {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.nn.leakyRelu(x);
    }
  },
  ELU {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.nn.elu(x);
    }
  },
  SELU {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.nn.selu(x);
    }
  },
  TANH {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.math.tanh(x);
    }
  },
  SIGMOID {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
      return tf.math.sigmoid(x);
    }
  };

  /** Adds the activation of {@code x} to the graph. */
  public abstract Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x);
}
