package io.beamtrain.pipelines.study;

import io.beamtrain.trainer.MetricSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A hyperparameter study: what to optimise, how to search and each trial's training budget. The
 * fields mirror Vertex AI's {@code StudySpec} (see {@code docs/DESIGN.md}); {@link
 * StudySpecParser} reads it from YAML or JSON and {@link StudyValidator} checks it.
 *
 * <p>The trials of a study are a pure function of the spec: {@link #trials()} returns the same
 * list, parameters and seeds included, on every machine and runner.
 *
 * @param metric the metric and its goal
 * @param algorithm the search algorithm
 * @param maxTrials the number of trials; null means the whole grid for GRID and {@value
 *     #DEFAULT_MAX_TRIALS} otherwise
 * @param seed the study seed; every trial's parameters and seed derive from it
 * @param trainSteps training steps per trial (default {@value #DEFAULT_TRAIN_STEPS})
 * @param evalEverySteps evaluation interval (default {@value #DEFAULT_EVAL_EVERY_STEPS})
 * @param checkpointEverySteps checkpoint interval (default {@value #DEFAULT_CHECKPOINT_EVERY_STEPS})
 * @param earlyStoppingPatience evaluations without improvement before a trial stops; 0 = never
 * @param parameters the searched parameters, in spec order
 * @param fixed hyperparameters every trial gets unchanged
 * @param search the algorithm-specific {@code search} block as given (field to value, sorted;
 *     empty = all defaults); {@code SearchSettings.of(study)} resolves it against the rest of the
 *     spec, so a {@code --trainSteps} or {@code --maxTrials} override moves the defaults with it
 * @param objectives the metrics, constraints and selection rule ({@code metrics}, {@code
 *     constraints}, {@code select}); null means the single {@code metric}, unconstrained. {@code
 *     metric} is then the trainer's metric, {@link StudyObjectives#trainerMetric}
 * @param warmStart earlier studies whose results seed the model-based samplers; null = none
 */
public record StudySpec(
    MetricSpec metric,
    Algorithm algorithm,
    Integer maxTrials,
    long seed,
    int trainSteps,
    int evalEverySteps,
    int checkpointEverySteps,
    int earlyStoppingPatience,
    List<ParameterSpec> parameters,
    Map<String, Object> fixed,
    Map<String, Object> search,
    StudyObjectives objectives,
    WarmStartSpec warmStart)
    implements Serializable {

  public static final int DEFAULT_MAX_TRIALS = 8;
  public static final int DEFAULT_TRAIN_STEPS = 1000;
  public static final int DEFAULT_EVAL_EVERY_STEPS = 100;
  public static final int DEFAULT_CHECKPOINT_EVERY_STEPS = 200;

  public StudySpec {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(algorithm, "algorithm");
    parameters = List.copyOf(parameters);
    fixed = Collections.unmodifiableSortedMap(new TreeMap<>(fixed == null ? Map.of() : fixed));
    search = sortedCopy(search == null ? Map.of() : search);
    objectives = objectives == null ? StudyObjectives.single(metric) : objectives;
  }

  /** A spec without warm start. */
  public StudySpec(
      MetricSpec metric, Algorithm algorithm, Integer maxTrials, long seed, int trainSteps,
      int evalEverySteps, int checkpointEverySteps, int earlyStoppingPatience,
      List<ParameterSpec> parameters, Map<String, Object> fixed, Map<String, Object> search,
      StudyObjectives objectives) {
    this(metric, algorithm, maxTrials, seed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, search, objectives, null);
  }

  /**
   * Whether the search learns from earlier trials, so a warm start can seed it: TPE, NSGA2 and
   * ASHA with {@code search.sampler: TPE}.
   */
  public boolean learnsFromEarlierTrials() {
    return switch (algorithm) {
      case TPE, NSGA2 -> true;
      case ASHA -> ashaSamplesWithTpe();
      default -> false;
    };
  }

  /** ASHA with {@code search.sampler: TPE}: its new trials come from a TPE model. */
  public boolean ashaSamplesWithTpe() {
    return algorithm == Algorithm.ASHA && "TPE".equalsIgnoreCase(String.valueOf(search.get("sampler")));
  }

  /** A copy with another warm start (null = none), e.g. resolved: which trials each source gave. */
  public StudySpec withWarmStart(WarmStartSpec newWarmStart) {
    return new StudySpec(
        metric, algorithm, maxTrials, seed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, search, objectives, newWarmStart);
  }

  /** A single-metric spec with this {@code search} block. */
  public StudySpec(
      MetricSpec metric, Algorithm algorithm, Integer maxTrials, long seed, int trainSteps,
      int evalEverySteps, int checkpointEverySteps, int earlyStoppingPatience,
      List<ParameterSpec> parameters, Map<String, Object> fixed, Map<String, Object> search) {
    this(metric, algorithm, maxTrials, seed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, search, null);
  }

  /** A copy with other objectives; {@code metric} becomes their trainer metric. */
  public StudySpec withObjectives(StudyObjectives newObjectives) {
    return new StudySpec(
        newObjectives.trainerMetric(), algorithm, maxTrials, seed, trainSteps, evalEverySteps,
        checkpointEverySteps, earlyStoppingPatience, parameters, fixed, search, newObjectives, warmStart);
  }

  /** A spec without a {@code search} block (every algorithm-specific setting at its default). */
  public StudySpec(
      MetricSpec metric, Algorithm algorithm, Integer maxTrials, long seed, int trainSteps,
      int evalEverySteps, int checkpointEverySteps, int earlyStoppingPatience,
      List<ParameterSpec> parameters, Map<String, Object> fixed) {
    this(metric, algorithm, maxTrials, seed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, Map.of());
  }

  /** A copy with another {@code search} block. */
  public StudySpec withSearch(Map<String, Object> newSearch) {
    return new StudySpec(
        metric, algorithm, maxTrials, seed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, newSearch, objectives, warmStart);
  }

  /** Nested mappings become sorted and unmodifiable, so equal blocks are equal records. */
  private static Map<String, Object> sortedCopy(Map<?, ?> map) {
    TreeMap<String, Object> out = new TreeMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object value = e.getValue() instanceof Map<?, ?> nested ? sortedCopy(nested) : e.getValue();
      out.put(String.valueOf(e.getKey()), value);
    }
    return Collections.unmodifiableSortedMap(out);
  }

  /** A copy with another seed (the {@code --seed} flag overrides the spec's). */
  public StudySpec withSeed(long newSeed) {
    return new StudySpec(
        metric, algorithm, maxTrials, newSeed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, search, objectives, warmStart);
  }

  /** A copy with another metric (the built-in study adapts its metric to the label's task). */
  public StudySpec withMetric(MetricSpec newMetric) {
    return new StudySpec(
        newMetric, algorithm, maxTrials, seed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, search,
        objectives.isSingleMetricOnly() ? null : objectives, warmStart);
  }

  /** A copy with another per-trial budget. */
  public StudySpec withBudget(int newTrainSteps, int newEvalEverySteps, int newCheckpointEverySteps) {
    return new StudySpec(
        metric, algorithm, maxTrials, seed, newTrainSteps, newEvalEverySteps,
        newCheckpointEverySteps, earlyStoppingPatience, parameters, fixed, search, objectives, warmStart);
  }

  /** A copy with another trial count. */
  public StudySpec withMaxTrials(Integer newMaxTrials) {
    return new StudySpec(
        metric, algorithm, newMaxTrials, seed, trainSteps, evalEverySteps, checkpointEverySteps,
        earlyStoppingPatience, parameters, fixed, search, objectives, warmStart);
  }

  /**
   * The study's trials, {@code trial-0000} first. Each trial's hyperparameters are the {@code
   * fixed} ones plus the searched ones; its seed is {@link TrialSeeds#forTrial} of the study seed.
   *
   * @throws InvalidStudyException when the spec does not validate
   */
  public List<Trial> trials() {
    StudyValidator.validate(this);
    List<SortedMap<String, Object>> suggestions =
        algorithm.search().suggest(parameters, maxTrials, seed);
    List<Trial> trials = new ArrayList<>(suggestions.size());
    for (int i = 0; i < suggestions.size(); i++) {
      SortedMap<String, Object> params = new TreeMap<>(fixed);
      params.putAll(suggestions.get(i));
      trials.add(new Trial(Trial.idOf(i), i, params, TrialSeeds.forTrial(seed, i)));
    }
    return trials;
  }
}
