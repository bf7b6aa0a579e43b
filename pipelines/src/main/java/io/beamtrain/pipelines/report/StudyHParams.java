package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.events.HParamsEventFile;
import io.beamtrain.trainer.events.HParamsExperiment;
import io.beamtrain.trainer.events.HParamsMetric;
import io.beamtrain.trainer.events.HParamsParameter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sweep as the experiment of TensorBoard's HParams dashboard, from the study the sweep ran
 * ({@code <output>/study.json}): every searched parameter with its domain (a range as an interval,
 * a list of choices as discrete values), every fixed one as its single value, and the metrics
 * (the study's, {@code eval_loss} and the training {@code loss}, all scalars the trials write).
 * Written into an events file at the sweep root, so {@code tensorboard --logdir <output>} shows
 * the sweep in its HParams tab. Stateless and thread-safe.
 */
public final class StudyHParams {
  private StudyHParams() {}

  /**
   * Reads {@code <outputDir>/study.json} and writes the experiment summary into {@code outputDir};
   * returns the events file's path.
   *
   * @throws IllegalArgumentException when study.json is missing or not valid (the message names
   *     it)
   */
  public static String writeExperiment(String outputDir, StorageConfig config, Clock clock) {
    String studyPath = StoragePaths.join(outputDir, StudyFile.FILE_NAME);
    Storage storage = Storages.forPath(studyPath, config);
    if (!storage.exists(studyPath)) {
      throw new IllegalArgumentException(studyPath + ": no study file; the sweep writes it first");
    }
    StudyFile study =
        StudyFile.parse(new String(storage.readBytes(studyPath), StandardCharsets.UTF_8), studyPath);
    HParamsExperiment experiment = experiment(study, outputDir, clock.instant().getEpochSecond());
    return HParamsEventFile.writeExperiment(outputDir, experiment, config, clock);
  }

  /** The experiment of {@code study}, named after the output directory. */
  static HParamsExperiment experiment(StudyFile study, String outputDir, double createdSecs) {
    List<HParamsParameter> parameters = new ArrayList<>();
    for (Map.Entry<String, StudyFile.Domain> entry : study.domains().entrySet()) {
      parameters.add(parameter(entry.getKey(), entry.getValue()));
    }
    for (Map.Entry<String, Object> fixed : study.fixed().entrySet()) {
      if (!study.domains().containsKey(fixed.getKey()) && fixed.getValue() != null) {
        parameters.add(HParamsParameter.discrete(fixed.getKey(), List.of(scalar(fixed.getValue()))));
      }
    }
    Set<String> metrics = new LinkedHashSet<>();
    if (study.metric() != null) {
      metrics.add(study.metric().name());
    }
    metrics.add("eval_loss");
    metrics.add("loss");
    String description =
        study.metric() == null
            ? ""
            : "Trials ranked by " + study.metric().name() + " (" + study.metric().goal() + ").";
    return new HParamsExperiment(
        outputDir, description, createdSecs, parameters, metrics.stream().map(HParamsMetric::of).toList());
  }

  private static HParamsParameter parameter(String name, StudyFile.Domain domain) {
    if (domain.isRange()) {
      return HParamsParameter.interval(name, domain.min(), domain.max());
    }
    if (domain.values() == null || domain.values().isEmpty()) {
      throw new IllegalArgumentException(
          StudyFile.FILE_NAME + ": parameter '" + name + "' has neither min/max nor values");
    }
    List<Object> values = domain.values().stream().map(StudyHParams::scalar).toList();
    boolean mixed = values.stream().map(Object::getClass).distinct().count() > 1
        && !values.stream().allMatch(v -> v instanceof Number);
    // The dashboard needs one type per parameter: a mixed list is shown as text.
    return HParamsParameter.discrete(name, mixed ? values.stream().map(String::valueOf).toList() : values);
  }

  /** Numbers, booleans and strings as they are; anything else (a list) as its text. */
  private static Object scalar(Object value) {
    return value instanceof Number || value instanceof Boolean || value instanceof String
        ? value
        : Format.value(value);
  }
}
