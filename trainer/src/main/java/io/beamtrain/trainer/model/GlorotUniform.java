package io.beamtrain.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Glorot (Xavier) uniform initial values, {@code U(-l, l)} with {@code l = sqrt(6 / (fan_in +
 * fan_out))}, the Keras {@code Dense} default, drawn by {@code StatelessRandomUniform} from a seed
 * pair: the same seeds give the same weights on every run, thread count and machine.
 */
final class GlorotUniform {
  private GlorotUniform() {}

  static Operand<TFloat32> values(Ops tf, Shape shape, long seed, long stream) {
    Ops init = tf.withInitScope();
    double limit = Math.sqrt(6.0 / (shape.get(0) + shape.get(1)));
    Operand<TFloat32> unit =
        init.random.statelessRandomUniform(
            init.constant(shape.asArray()), init.constant(new long[] {seed, stream}), TFloat32.class);
    // unit in [0, 1) -> [-limit, limit)
    return init.math.sub(
        init.math.mul(unit, init.constant((float) (2 * limit))), init.constant((float) limit));
  }
}
