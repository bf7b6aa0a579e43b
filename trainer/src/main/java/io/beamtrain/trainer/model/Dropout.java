package io.beamtrain.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Inverted dropout ({@code tf.nn.dropout}): keeps each unit with probability {@code 1 - rate} and
 * scales kept units by {@code 1 / (1 - rate)}, so inference needs no rescaling.
 *
 * <p>The mask comes from {@code StatelessRandomUniform} seeded by a fed {@code [2]} int64 seed
 * (the trainer feeds {@code [mix(trial seed), step]}) plus the layer index, so the masks of step
 * {@code s} are the same in a resumed trial as in an uninterrupted one.
 *
 * @param rate the fraction of units dropped, in (0, 1)
 * @param seed the fed seed pair
 */
public record Dropout(double rate, Operand<TInt64> seed) {

  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, int layer) {
    Operand<TInt64> layerSeed = tf.math.add(seed, tf.constant(new long[] {layer, 0}));
    Operand<TFloat32> uniform =
        tf.random.statelessRandomUniform(tf.shape(x), layerSeed, TFloat32.class);
    float keep = (float) (1 - rate);
    // floor(keep + U[0,1)) is 1 with probability keep, else 0.
    Operand<TFloat32> mask = tf.math.floor(tf.math.add(uniform, tf.constant(keep)));
    return tf.math.mul(x, tf.math.mul(mask, tf.constant(1f / keep)));
  }
}
