package io.beamtrain.trainer.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Softmax over {@code K = classes.size()} logits with cross-entropy loss; binary tasks use {@code
 * K = 2} (equivalent to a sigmoid on the logit difference). Labels are class ids, the index into
 * {@code classes}.
 *
 * <p>The loss is {@code SoftmaxCrossEntropyWithLogits} on one-hot labels rather than the sparse
 * op because the C++ gradient registry TF Java uses has no gradient for the sparse variant.
 */
public record ClassificationHead(List<String> classes) implements Head {

  public ClassificationHead {
    classes = List.copyOf(classes);
    if (classes.size() < 2) {
      throw new IllegalArgumentException(
          "a classification label needs at least 2 classes, has " + classes);
    }
  }

  @Override
  public int logitsWidth() {
    return classes.size();
  }

  @Override
  public Operand<?> labelsPlaceholder(Ops tf, String name) {
    return tf.withName(name).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> perExampleLoss(Ops tf, Operand<TFloat32> logits, Operand<?> labels) {
    Operand<TFloat32> oneHot =
        tf.oneHot(
            (Operand<TInt32>) labels,
            tf.constant(classes.size()),
            tf.constant(1f),
            tf.constant(0f));
    return tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
  }

  @Override
  public Operand<TFloat32> output(Ops tf, Operand<TFloat32> logits) {
    return tf.nn.softmax(logits);
  }
}
