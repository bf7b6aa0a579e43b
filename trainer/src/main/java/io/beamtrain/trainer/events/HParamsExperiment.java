package io.beamtrain.trainer.events;

import java.util.List;
import java.util.Objects;

/**
 * The configuration of a sweep as TensorBoard's HParams dashboard shows it, its {@code Experiment}
 * message: the hyperparameters with their domains and the metrics, written once into the events
 * file at the sweep root. Immutable.
 *
 * @param name the experiment's name ("" for none)
 * @param description Markdown shown in the dashboard ("" for none)
 * @param timeCreatedSecs seconds since the epoch (0 for unknown)
 * @param parameters the hyperparameters, in display order
 * @param metrics the metrics, in display order
 */
public record HParamsExperiment(
    String name,
    String description,
    double timeCreatedSecs,
    List<HParamsParameter> parameters,
    List<HParamsMetric> metrics) {

  public HParamsExperiment {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    parameters = List.copyOf(parameters);
    metrics = List.copyOf(metrics);
    long distinct = parameters.stream().map(HParamsParameter::name).distinct().count();
    if (distinct != parameters.size()) {
      throw new IllegalArgumentException("hyperparameter names repeat: " + parameters);
    }
  }
}
