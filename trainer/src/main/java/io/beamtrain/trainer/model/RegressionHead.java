package io.beamtrain.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * One logit regressing the z-scored target {@code (y - targetMean) / targetStddev}; the output is
 * mapped back to target units, so callers feed and receive raw targets. Training on the z-score
 * keeps the default learning rate sensible whatever the target's scale.
 */
public record RegressionHead(
    RegressionLoss loss, double huberDelta, double targetMean, double targetStddev)
    implements Head {

  public RegressionHead {
    if (!(targetStddev > 0)) {
      throw new IllegalArgumentException("targetStddev must be positive, was " + targetStddev);
    }
  }

  @Override
  public int logitsWidth() {
    return 1;
  }

  @Override
  public Operand<?> labelsPlaceholder(Ops tf, String name) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> perExampleLoss(Ops tf, Operand<TFloat32> logits, Operand<?> labels) {
    Operand<TFloat32> standardized =
        tf.math.mul(
            tf.math.sub((Operand<TFloat32>) labels, tf.constant((float) targetMean)),
            tf.constant((float) (1 / targetStddev)));
    if (loss == RegressionLoss.MSE) {
      return tf.math.squaredDifference(flat(tf, logits), standardized);
    }
    Operand<TFloat32> error = tf.math.sub(flat(tf, logits), standardized);
    // Huber without a select op: 0.5 * min(|e|, d)^2 + d * (|e| - min(|e|, d)).
    Operand<TFloat32> abs = tf.math.abs(error);
    Operand<TFloat32> quadratic = tf.math.minimum(abs, tf.constant((float) huberDelta));
    return tf.math.add(
        tf.math.mul(tf.constant(0.5f), tf.math.square(quadratic)),
        tf.math.mul(tf.constant((float) huberDelta), tf.math.sub(abs, quadratic)));
  }

  @Override
  public Operand<TFloat32> output(Ops tf, Operand<TFloat32> logits) {
    return tf.math.add(
        tf.math.mul(flat(tf, logits), tf.constant((float) targetStddev)),
        tf.constant((float) targetMean));
  }

  private static Operand<TFloat32> flat(Ops tf, Operand<TFloat32> logits) {
    return tf.reshape(logits, tf.constant(new int[] {-1}));
  }
}
