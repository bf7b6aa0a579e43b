package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.options.StudyOptions;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.InvalidStudyException;
import io.beamtrain.pipelines.study.Studies;
import io.beamtrain.pipelines.study.StudyMetrics;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecWriter;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.WarmStartSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.data.TransformSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep resolved before anything runs ({@code dataWritten}: its data was in place before the
 * run, as for {@code sweep}; {@code train} and {@code retrain} write it in the same pipeline): the study (file or built-in, with {@code --seed},
 * {@code --maxTrials} and {@code --trainSteps} applied), its trials, and the settings every trial
 * shares. Resolving validates everything that can be checked up front (the spec, every trial's
 * hyperparameters, the data directory, the metric against the label's task), so a bad input fails
 * in a second with a message naming the flag, file or field instead of after the first trial.
 */
public record SweepPlan(
    StudySpec study, String studySource, List<Trial> trials, TrialSettings settings, boolean dataWritten,
    List<TrialResult> warmStart) {

  public SweepPlan {
    trials = List.copyOf(trials);
    warmStart = warmStart == null ? List.of() : List.copyOf(warmStart);
  }

  public SweepPlan(
      StudySpec study, String studySource, List<Trial> trials, TrialSettings settings, boolean dataWritten) {
    this(study, studySource, trials, settings, dataWritten, List.of());
  }

  /**
   * The same plan warm-started from the earlier sweeps {@code from} (retrain's registry runs when
   * the study names none), read as for a study's own {@code warmStart} but never refused: a run
   * that is not a sweep's output is warned about and skipped.
   */
  public SweepPlan withDefaultWarmStart(List<String> from) {
    if (study.warmStart() != null || from.isEmpty() || !study.learnsFromEarlierTrials()) {
      return this;
    }
    EarlierStudies.Loaded loaded = EarlierStudies.load(
        study.withWarmStart(WarmStartSpec.of(from)), null, settings.storage(), false);
    return new SweepPlan(loaded.study(), studySource, trials, settings, dataWritten, loaded.results());
  }

  public OutputLayout layout() {
    return settings.layout();
  }

  /**
   * Resolves the plan.
   *
   * @param dataWritten whether {@code <output>/data} must already exist (false inside {@code
   *     train}, which writes it in the same pipeline)
   */
  public static SweepPlan resolve(
      StudyOptions options, OutputLayout layout, StorageConfig storage, boolean dataWritten) {
    String source = options.getStudy() != null ? options.getStudy() : Studies.DEFAULT_STUDY_RESOURCE;
    StudySpec study = options.getStudy() != null
        ? Studies.read(options.getStudy(), storage)
        : Studies.defaultStudy();
    study = applyOverrides(study, options);
    if (options.getDeterministic()) {
      study = oneAshaWorker(study, source);
    }
    List<Trial> trials = study.trials();
    for (Trial trial : trials) {
      try {
        HyperParameters.parse(trial.params());
      } catch (IllegalArgumentException e) {
        throw new InvalidStudyException("parameters", trial.id() + " " + trial.params() + ": " + e.getMessage())
            .inSource(source);
      }
    }
    TransformSpec.LabelSpec label = dataWritten ? checkData(study, source, layout, storage) : null;
    List<TrialResult> warm;
    try {
      EarlierStudies.Loaded loaded = EarlierStudies.load(study, label, storage, true);
      study = loaded.study();
      warm = loaded.results();
    } catch (InvalidStudyException e) {
      throw e.inSource(source);
    }
    int perWorker = TrialParallelism.resolve(options, options.getTrialsPerWorker(), trials.size());
    TrialSettings settings = TrialSettings.of(study, layout, perWorker, trials.size(), storage)
        .withDeterministic(options.getDeterministic());
    return new SweepPlan(study, source, trials, settings, dataWritten, warm);
  }

  /**
   * Writes the resolved study as {@code <output>/study.json}, the record {@code export} reads,
   * and, when the data was already in place, which data the trials train on ({@link
   * DataFingerprint}, unless recorded). Call {@link OutputConflicts#check} first.
   */
  public void writeStudy() {
    String path = layout().studyJson();
    Storages.forPath(path, settings.storage())
        .writeBytes(path, StudySpecWriter.toJson(study).getBytes(StandardCharsets.UTF_8));
    if (dataWritten) {
      DataFingerprint.recordIfAbsent(layout(), settings.storage());
    }
  }

  /**
   * With {@code --deterministic} an ASHA study runs one worker: with several, which trial is
   * promoted when depends on which job finishes first. Unset {@code search.workers} becomes 1 (and
   * study.json records it); an explicit larger value is a contradiction the user must resolve.
   */
  private static StudySpec oneAshaWorker(StudySpec study, String source) {
    if (study.algorithm() != Algorithm.ASHA) {
      return study;
    }
    Object workers = study.search().get("workers");
    if (workers == null) {
      Map<String, Object> search = new LinkedHashMap<>(study.search());
      search.put("workers", 1);
      return study.withSearch(search);
    }
    if (!Integer.valueOf(1).equals(workers)) {
      throw new InvalidStudyException("search.workers", "must be 1 with --deterministic, was " + workers
          + ": with several ASHA workers the promotions depend on which job finishes first").inSource(source);
    }
    return study;
  }

  private static StudySpec applyOverrides(StudySpec study, StudyOptions options) {
    if (options.getSeed() != null) {
      study = study.withSeed(options.getSeed());
    }
    if (options.getMaxTrials() != null) {
      if (options.getMaxTrials() < 1) {
        throw new UsageException("--maxTrials must be at least 1, was " + options.getMaxTrials());
      }
      study = study.withMaxTrials(options.getMaxTrials());
    }
    if (options.getTrainSteps() != null) {
      if (options.getTrainSteps() < 1) {
        throw new UsageException("--trainSteps must be at least 1, was " + options.getTrainSteps());
      }
      study = study.withBudget(options.getTrainSteps(), study.evalEverySteps(), study.checkpointEverySteps());
    }
    if (options.getTrialsPerWorker() < 0) {
      throw new UsageException("--trialsPerWorker must be 0 (from the runner) or positive, was "
          + options.getTrialsPerWorker());
    }
    return study;
  }

  /** Checks the study's metrics against the data's label, and returns the label. */
  private static TransformSpec.LabelSpec checkData(StudySpec study, String source, OutputLayout layout, StorageConfig config) {
    String path = layout.transformJson();
    Storage storage = Storages.forPath(path, config);
    TransformSpec transform;
    try {
      transform = TransformSpec.fromJson(new String(storage.readBytes(path), StandardCharsets.UTF_8), path);
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        throw new UsageException("--output: " + path + " not found; run 'beamtrain preprocess --output="
            + layout.root() + "' first (or 'beamtrain train')");
      }
      throw e;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    TransformSpec.LabelSpec label = transform.label();
    int classes = label.task().isClassification() ? label.numClasses() : 0;
    List<String> read = study.objectives().readMetrics();
    for (String metric : read) {
      if (StudyMetrics.appliesTo(metric, label.task(), classes)) {
        continue;
      }
      throw new InvalidStudyException(fieldOf(study, metric),
          metric + " does not apply to label '" + label.name() + "', a " + label.task() + " task"
              + (classes > 0 ? " with " + classes + " classes" : "") + " (" + path + "); use one of "
              + StudyMetrics.applicable(label.task(), classes)).inSource(source);
    }
    return label;
  }

  /** Where the study names {@code metric}: {@code metric.name}, {@code metrics[i].metric} or {@code constraints[i].metric}. */
  private static String fieldOf(StudySpec study, String metric) {
    if (study.objectives().isSingleMetricOnly()) {
      return "metric.name";
    }
    int objective = study.objectives().names().indexOf(metric);
    if (objective >= 0) {
      return "metrics[" + objective + "].metric";
    }
    List<io.beamtrain.pipelines.study.OutcomeConstraint> constraints = study.objectives().constraints();
    for (int i = 0; i < constraints.size(); i++) {
      if (constraints.get(i).metric().equals(metric)) {
        return "constraints[" + i + "].metric";
      }
    }
    return "metric.name";
  }
}
