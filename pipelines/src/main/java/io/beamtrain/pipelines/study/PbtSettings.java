package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code search} block of an {@code algorithm: PBT} study (population-based training,
 * Jaderberg et al. 2017):
 *
 * <pre>{@code
 * algorithm: PBT
 * trainSteps: 3000                 # every member's steps
 * search:
 *   populationSize: 8              # members training side by side (default maxTrials)
 *   perturbationInterval: 500      # steps between exploits; a multiple of evalEverySteps
 *   quantile: 0.25                 # the bottom quarter copies from the top quarter
 *   resampleProbability: 0.25      # explore: draw a value afresh from the parameter's range ...
 *   factors: [0.8, 1.2]            # ... or else multiply it by one of these, within its bounds
 *   mutable: [learning_rate]       # the parameters that change; default every allowed one
 * }</pre>
 *
 * Only hyperparameters that leave the variables' shapes alone may change mid-training ({@link
 * #MUTABLE}), since the recipient restores the donor's checkpoint, optimizer slots included; the
 * other search parameters are drawn once per member and inherited with the donor's checkpoint.
 * Median stopping is refused: the exploit is PBT's way of cutting weak members.
 *
 * @param populationSize the members
 * @param perturbationInterval steps per generation
 * @param quantile the fraction of members that copy (bottom) and that donate (top)
 * @param resampleProbability the chance that explore draws a mutable value afresh
 * @param factors explore's multipliers otherwise (for a list parameter, above 1 moves to the next value)
 * @param mutable the parameters explore changes, in the study's parameter order
 */
public record PbtSettings(
    int populationSize, int perturbationInterval, double quantile, double resampleProbability,
    List<Double> factors, List<String> mutable) implements Serializable {

  /** Hyperparameters that do not change any variable's shape: the ones PBT may change. */
  public static final Set<String> MUTABLE = Set.of("learning_rate", "dropout", "l2", "batch_size", "momentum");
  private static final Set<String> FIELDS = Set.of(
      "populationSize", "perturbationInterval", "quantile", "resampleProbability", "factors", "mutable");

  public PbtSettings {
    factors = List.copyOf(factors);
    mutable = List.copyOf(mutable);
  }

  /** The settings of {@code study}'s block. */
  public static PbtSettings of(StudySpec study) {
    return of(study.search(), study);
  }

  /** Parses and validates the block (null = defaults) against {@code study}. */
  public static PbtSettings of(Object node, StudySpec study) {
    Map<?, ?> block = node == null ? Map.of() : map(node);
    if (block.containsKey("medianStopping")) {
      throw new InvalidStudyException("search.medianStopping",
          "not used by PBT, whose exploit replaces the weak members instead of stopping them");
    }
    for (Object key : block.keySet()) {
      if (!FIELDS.contains(String.valueOf(key))) {
        throw new InvalidStudyException("search." + key, "unknown field for PBT; expected one of " + new TreeSet<>(FIELDS));
      }
    }
    int defaultPopulation = study.maxTrials() == null ? StudySpec.DEFAULT_MAX_TRIALS : study.maxTrials();
    int population = intField(block, "populationSize", defaultPopulation);
    if (population < 2) {
      throw new InvalidStudyException("search.populationSize", "must be at least 2, was " + population);
    }
    int eval = study.evalEverySteps();
    int interval = intField(block, "perturbationInterval",
        Math.max(eval, study.trainSteps() / 4 / eval * eval));
    if (interval < 1 || interval > study.trainSteps()) {
      throw new InvalidStudyException("search.perturbationInterval",
          "must be between 1 and trainSteps (" + study.trainSteps() + "), was " + interval);
    }
    if (interval % eval != 0) {
      // The exploit ranks members by their evaluation at the generation's last step.
      throw new InvalidStudyException("search.perturbationInterval",
          "must be a multiple of evalEverySteps (" + eval + "), was " + interval);
    }
    double quantile = number(block, "quantile", 0.25);
    if (!(quantile > 0 && quantile <= 0.5)) {
      throw new InvalidStudyException("search.quantile", "must be in (0, 0.5], was " + quantile);
    }
    double resample = number(block, "resampleProbability", 0.25);
    if (!(resample >= 0 && resample <= 1)) {
      throw new InvalidStudyException("search.resampleProbability", "must be in [0, 1], was " + resample);
    }
    List<Double> factors = new ArrayList<>();
    Object givenFactors = block.get("factors");
    if (givenFactors == null) {
      factors = List.of(0.8, 1.2);
    } else {
      if (!(givenFactors instanceof List<?> list) || list.isEmpty()) {
        throw new InvalidStudyException("search.factors", "must be a non-empty list of positive numbers, was " + givenFactors);
      }
      for (Object f : list) {
        if (!(f instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
          throw new InvalidStudyException("search.factors", "must be positive numbers, was " + f);
        }
        factors.add(n.doubleValue());
      }
    }
    List<String> searched = study.parameters().stream().map(ParameterSpec::name).toList();
    List<String> mutable = new ArrayList<>();
    Object givenMutable = block.get("mutable");
    if (givenMutable == null) {
      searched.stream().filter(MUTABLE::contains).forEach(mutable::add);
      if (mutable.isEmpty()) {
        throw new InvalidStudyException("search.mutable",
            "no search parameter PBT can change; search one of " + new TreeSet<>(MUTABLE));
      }
    } else {
      if (!(givenMutable instanceof List<?> list) || list.isEmpty()) {
        throw new InvalidStudyException("search.mutable", "must be a non-empty list of parameter names, was " + givenMutable);
      }
      for (Object o : list) {
        String name = String.valueOf(o);
        if (!MUTABLE.contains(name)) {
          throw new InvalidStudyException("search.mutable", "'" + name + "' cannot change while a member trains"
              + " (it changes the variables' shapes or the optimizer's slots); PBT can change "
              + new TreeSet<>(MUTABLE));
        }
        if (!searched.contains(name)) {
          throw new InvalidStudyException("search.mutable",
              "'" + name + "' is not a search parameter (explore needs its range); add it to parameters");
        }
        if (!mutable.contains(name)) {
          mutable.add(name);
        }
      }
    }
    return new PbtSettings(population, interval, quantile, resample, factors, mutable);
  }

  /** The resolved block, for study.json. */
  public Map<String, Object> toBlock() {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("populationSize", populationSize);
    block.put("perturbationInterval", perturbationInterval);
    block.put("quantile", quantile);
    block.put("resampleProbability", resampleProbability);
    block.put("factors", factors);
    block.put("mutable", mutable);
    return block;
  }

  /** How many generations a member trains: {@code ceil(trainSteps / perturbationInterval)}. */
  public int generations(int trainSteps) {
    return (trainSteps + perturbationInterval - 1) / perturbationInterval;
  }

  private static Map<?, ?> map(Object node) {
    if (!(node instanceof Map<?, ?> m)) {
      throw new InvalidStudyException("search", "expected a mapping, was " + node);
    }
    return m;
  }

  private static int intField(Map<?, ?> block, String field, int fallback) {
    Object value = block.get(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer i)) {
      throw new InvalidStudyException("search." + field, "must be a whole number, was " + value);
    }
    return i;
  }

  private static double number(Map<?, ?> block, String field, double fallback) {
    Object value = block.get(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n)) {
      throw new InvalidStudyException("search." + field, "must be a number, was " + value);
    }
    return n.doubleValue();
  }
}
