package io.beamtrain.trainer.model;

import io.beamtrain.trainer.data.TransformSpec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The task-specific top of the model: how many logits, the per-example loss and the model's
 * output. Immutable; the graph pieces are added by the methods.
 */
public sealed interface Head permits ClassificationHead, RegressionHead {

  /** Width of the network's last layer. */
  int logitsWidth();

  /**
   * A placeholder named {@code name} for a batch of labels: int32 class ids, or float targets
   * z-scored by {@link RegressionHead#standardize}.
   */
  Operand<?> labelsPlaceholder(Ops tf, String name);

  /** The loss of each example, {@code [-1]}. */
  Operand<TFloat32> perExampleLoss(Ops tf, Operand<TFloat32> logits, Operand<?> labels);

  /**
   * What the model outputs per example: class probabilities {@code [-1, K]} or the prediction in
   * target units {@code [-1]}.
   */
  Operand<TFloat32> output(Ops tf, Operand<TFloat32> logits);

  /** The head for a label of {@code transform.json} with the trial's loss settings. */
  static Head of(TransformSpec.LabelSpec label, HyperParameters params) {
    if (label.task().isClassification()) {
      params.requireClassificationLoss();
      return new ClassificationHead(label.vocabulary());
    }
    double mean = label.mean() == null ? 0.0 : label.mean();
    double stddev = label.stddev() == null || label.stddev() <= 0 ? 1.0 : label.stddev();
    return new RegressionHead(params.regressionLoss(), params.huberDelta(), mean, stddev);
  }
}
