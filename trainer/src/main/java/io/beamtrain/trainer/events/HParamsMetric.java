package io.beamtrain.trainer.events;

import java.util.Objects;

/**
 * A metric of an experiment, TensorBoard's {@code MetricInfo}: the scalar summary {@code tag} that
 * each session (trial) writes, found in the run {@code <session run>/<group>}. Immutable.
 *
 * @param tag the scalar tag, e.g. {@code eval_accuracy}
 * @param group the sub-directory of the session's run holding the scalar, "" for the run itself
 * @param displayName the column title in the dashboard, "" for the tag
 * @param datasetType which data the metric is computed on
 */
public record HParamsMetric(String tag, String group, String displayName, DatasetType datasetType) {

  /** TensorBoard's {@code DatasetType}, with its wire numbers. */
  public enum DatasetType {
    UNKNOWN(0),
    TRAINING(1),
    VALIDATION(2);

    private final int number;

    DatasetType(int number) {
      this.number = number;
    }

    public int number() {
      return number;
    }
  }

  public HParamsMetric {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(datasetType, "datasetType");
  }

  /**
   * A metric the trial writes into its own run directory: {@code eval_*} tags are VALIDATION
   * (computed on the eval split), others TRAINING.
   */
  public static HParamsMetric of(String tag) {
    DatasetType type = tag.startsWith("eval") ? DatasetType.VALIDATION : DatasetType.TRAINING;
    return new HParamsMetric(tag, "", "", type);
  }
}
