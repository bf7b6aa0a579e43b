package io.beamtrain.trainer.serving;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row's output of a serving model: for classification {@code classLabel} (the {@code class}
 * output) and {@code probabilities} (one per class, in label-vocabulary order); for regression
 * {@code value} (the {@code prediction} output). Fields a model does not output are null.
 */
public record Prediction(String classLabel, float[] probabilities, Float value) {

  public static Prediction classification(String classLabel, float[] probabilities) {
    return new Prediction(classLabel, probabilities, null);
  }

  public static Prediction regression(float value) {
    return new Prediction(null, null, value);
  }

  public boolean isClassification() {
    return classLabel != null || probabilities != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Prediction p
        && Objects.equals(classLabel, p.classLabel)
        && Arrays.equals(probabilities, p.probabilities)
        && Objects.equals(value, p.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classLabel, Arrays.hashCode(probabilities), value);
  }

  @Override
  public String toString() {
    return isClassification()
        ? "Prediction{class=" + classLabel + ", probabilities=" + Arrays.toString(probabilities) + "}"
        : "Prediction{value=" + value + "}";
  }
}
