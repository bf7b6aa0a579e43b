package io.beamtrain.trainer.model;

/** The model family, hyperparameter {@code model}. */
public enum ModelKind {
  /** One dense layer from the features to the outputs (logistic/softmax/linear regression). */
  LINEAR,
  /** Fully connected hidden layers with an activation, then a dense output layer. */
  DNN
}
