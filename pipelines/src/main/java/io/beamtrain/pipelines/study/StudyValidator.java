package io.beamtrain.pipelines.study;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.model.HyperParameters;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a {@link StudySpec} before anything runs, failing on the first problem with an {@link
 * InvalidStudyException} naming the field ({@code parameters[1].min}, {@code metric.name}, ...).
 * Stateless and thread-safe.
 */
public final class StudyValidator {
  /** Upper bound on trials (and grid combinations), to catch a runaway grid before it is built. */
  public static final int MAX_TRIALS_LIMIT = 10_000;

  private StudyValidator() {}

  public static void validate(StudySpec spec) {
    validateMetric(spec);
    validateObjectives(spec);
    if (spec.maxTrials() != null && (spec.maxTrials() < 1 || spec.maxTrials() > MAX_TRIALS_LIMIT)) {
      throw new InvalidStudyException(
          "maxTrials", "must be between 1 and " + MAX_TRIALS_LIMIT + ", was " + spec.maxTrials());
    }
    positive("trainSteps", spec.trainSteps());
    positive("evalEverySteps", spec.evalEverySteps());
    positive("checkpointEverySteps", spec.checkpointEverySteps());
    if (spec.earlyStoppingPatience() < 0) {
      throw new InvalidStudyException(
          "earlyStoppingPatience", "must be 0 (off) or positive, was " + spec.earlyStoppingPatience());
    }
    for (String name : spec.fixed().keySet()) {
      knownHyperparameter("fixed." + name, name);
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < spec.parameters().size(); i++) {
      ParameterSpec p = spec.parameters().get(i);
      String path = "parameters[" + i + "]";
      if (p.name().isBlank()) {
        throw new InvalidStudyException(path + ".name", "must not be empty");
      }
      knownHyperparameter(path + ".name", p.name());
      Integer previous = seen.putIfAbsent(p.name(), i);
      if (previous != null) {
        throw new InvalidStudyException(
            path + ".name",
            "duplicate parameter '" + p.name() + "' (also parameters[" + previous + "])");
      }
      if (spec.fixed().containsKey(p.name())) {
        throw new InvalidStudyException(
            "fixed." + p.name(), "is also a search parameter (" + path + ")");
      }
      if (p.type().isRange()) {
        validateRange(path, p, spec.algorithm());
      } else {
        validateList(path, p);
      }
    }
    validateConditions(spec);
    validateWarmStart(spec);
    if (spec.algorithm() == Algorithm.GRID) {
      long size;
      try {
        size = GridSearch.gridSize(spec.parameters());
      } catch (ArithmeticException overflow) {
        size = Long.MAX_VALUE;
      }
      if (size > MAX_TRIALS_LIMIT && spec.maxTrials() == null) {
        throw new InvalidStudyException(
            "parameters",
            "the grid has " + size + " combinations (limit " + MAX_TRIALS_LIMIT
                + "); set maxTrials or fewer gridPoints");
      }
    }
  }
  /**
   * Every {@code when} names another search parameter of a list or INTEGER type, with values it
   * can take, and the references form no cycle.
   */
  private static void validateConditions(StudySpec spec) {
    List<ParameterSpec> parameters = spec.parameters();
    Map<String, ParameterSpec> byName = new HashMap<>();
    parameters.forEach(p -> byName.put(p.name(), p));
    for (int i = 0; i < parameters.size(); i++) {
      ParameterSpec p = parameters.get(i);
      for (Map.Entry<String, List<Object>> condition : p.when().entrySet()) {
        String path = "parameters[" + i + "].when." + condition.getKey();
        ParameterSpec parent = byName.get(condition.getKey());
        if (parent == null) {
          throw new InvalidStudyException(path, "refers to '" + condition.getKey() + "', which is not a search parameter"
              + (spec.fixed().containsKey(condition.getKey()) ? " (it is fixed, so the condition would never change)" : "")
              + "; parameters: " + new TreeSet<>(byName.keySet()));
        }
        if (parent == p) {
          throw new InvalidStudyException(path, "a parameter cannot depend on itself");
        }
        if (parent.type() == ParameterType.DOUBLE) {
          throw new InvalidStudyException(path, "'" + parent.name()
              + "' is a DOUBLE; a condition needs a CATEGORICAL, DISCRETE or INTEGER parent");
        }
        List<Object> values = condition.getValue();
        for (int j = 0; j < values.size(); j++) {
          if (!canTake(parent, values.get(j))) {
            throw new InvalidStudyException(path + "[" + j + "]", "'" + parent.name() + "' never takes the value "
                + values.get(j) + "; its values: " + (parent.type().isRange()
                    ? number(parent.min()) + ".." + number(parent.max()) : parent.values()));
          }
        }
      }
    }
    List<String> cycle = ConditionalSpace.cycle(parameters);
    if (!cycle.isEmpty()) {
      int first = parameters.indexOf(byName.get(cycle.get(0)));
      throw new InvalidStudyException("parameters[" + first + "].when",
          "conditions form a cycle: " + String.join(" -> ", cycle));
    }
  }

  private static boolean canTake(ParameterSpec parent, Object value) {
    if (parent.type() == ParameterType.INTEGER) {
      return value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
          && parent.min() != null && parent.max() != null
          && n.doubleValue() >= parent.min() && n.doubleValue() <= parent.max();
    }
    return parent.values() != null && parent.values().stream().anyMatch(v -> ConditionalSpace.sameValue(v, value));
  }

  /** A warm start seeds a model; a study whose search has none would silently ignore it. */
  private static void validateWarmStart(StudySpec spec) {
    if (spec.warmStart() == null) {
      return;
    }
    if (!spec.learnsFromEarlierTrials()) {
      throw new InvalidStudyException("warmStart", spec.algorithm()
          + (spec.algorithm() == Algorithm.ASHA ? " with sampler RANDOM" : "")
          + " does not learn from earlier trials; warm start seeds TPE, NSGA2 and ASHA with search.sampler: TPE");
    }
  }

  /**
   * Several metrics need an algorithm that ranks by the Pareto front: TPE (and ASHA's TPE sampler)
   * models one value; ASHA promotes by non-dominated rank.
   */
  private static void validateObjectives(StudySpec spec) {
    if (!spec.objectives().isMultiObjective()) {
      return;
    }
    if (spec.algorithm() == Algorithm.TPE) {
      throw new InvalidStudyException("algorithm", spec.algorithm() + " optimises one metric; a study of "
          + spec.objectives().metrics().size() + " metrics uses NSGA2, ASHA, SUCCESSIVE_HALVING, HYPERBAND, RANDOM,"
          + " QUASI_RANDOM or GRID (or keep one metric and make the others constraints)");
    }
    if (spec.ashaSamplesWithTpe()) {
      throw new InvalidStudyException("search.sampler", "TPE models one metric; a study of "
          + spec.objectives().metrics().size() + " metrics starts ASHA's trials with sampler RANDOM");
    }
  }


  private static void validateMetric(StudySpec spec) {
    String name = spec.metric().name();
    if (spec.metric().goal() != StudyMetrics.naturalGoal(name)) {
      throw new InvalidStudyException(
          "metric.goal",
          name + " is better when "
              + (StudyMetrics.naturalGoal(name) == Goal.MAXIMIZE ? "larger (MAXIMIZE)" : "smaller (MINIMIZE)")
              + "; " + spec.metric().goal() + " would pick the worst trial");
    }
  }

  private static void validateRange(String path, ParameterSpec p, Algorithm algorithm) {
    if (p.values() != null) {
      throw new InvalidStudyException(path + ".values", "not used by " + p.type() + "; use min and max");
    }
    if (p.min() == null) {
      throw new InvalidStudyException(path + ".min", "required for " + p.type() + " parameters");
    }
    if (p.max() == null) {
      throw new InvalidStudyException(path + ".max", "required for " + p.type() + " parameters");
    }
    finite(path + ".min", p.min());
    finite(path + ".max", p.max());
    if (p.type() == ParameterType.INTEGER) {
      whole(path + ".min", p.min());
      whole(path + ".max", p.max());
    }
    if (p.min() > p.max()) {
      throw new InvalidStudyException(
          path + ".min", number(p.min()) + " is greater than max " + number(p.max()));
    }
    if (p.scale() == Scale.LOG && p.min() <= 0) {
      throw new InvalidStudyException(
          path + ".min", "LOG scale needs min > 0, was " + number(p.min()));
    }
    if (p.gridPoints() != null && p.gridPoints() < 1) {
      throw new InvalidStudyException(
          path + ".gridPoints", "must be at least 1, was " + p.gridPoints());
    }
    if (algorithm == Algorithm.GRID && p.type() == ParameterType.DOUBLE && p.gridPoints() == null) {
      throw new InvalidStudyException(
          path + ".gridPoints", "required for DOUBLE parameters when the algorithm is GRID");
    }
    if (algorithm == Algorithm.GRID && p.type() == ParameterType.INTEGER && p.gridPoints() == null
        && p.max() - p.min() >= MAX_TRIALS_LIMIT) {
      throw new InvalidStudyException(
          path + ".gridPoints", "required for GRID over " + number(p.max() - p.min() + 1) + " integers");
    }
  }

  private static void validateList(String path, ParameterSpec p) {
    if (p.min() != null) {
      throw new InvalidStudyException(path + ".min", "not used by " + p.type() + "; use values");
    }
    if (p.max() != null) {
      throw new InvalidStudyException(path + ".max", "not used by " + p.type() + "; use values");
    }
    if (p.gridPoints() != null) {
      throw new InvalidStudyException(path + ".gridPoints", "not used by " + p.type());
    }
    List<Object> values = p.values();
    if (values == null) {
      throw new InvalidStudyException(path + ".values", "required for " + p.type() + " parameters");
    }
    if (values.isEmpty()) {
      throw new InvalidStudyException(path + ".values", "must not be empty");
    }
    Set<Object> distinct = new HashSet<>();
    for (int j = 0; j < values.size(); j++) {
      Object value = values.get(j);
      String valuePath = path + ".values[" + j + "]";
      if (p.type() == ParameterType.DISCRETE) {
        if (!(value instanceof Number number)) {
          throw new InvalidStudyException(valuePath, "DISCRETE values must be numbers, was '" + value + "'");
        }
        finite(valuePath, number.doubleValue());
        value = number.doubleValue();
      } else if (!(value instanceof String)) {
        throw new InvalidStudyException(valuePath, "CATEGORICAL values must be strings, was " + value);
      }
      if (!distinct.add(value)) {
        throw new InvalidStudyException(valuePath, "duplicate value " + values.get(j));
      }
    }
  }

  private static void knownHyperparameter(String field, String name) {
    if (!HyperParameters.isKnown(name)) {
      throw new InvalidStudyException(
          field,
          "unknown hyperparameter '" + name + "'; the trainer knows "
              + String.join(", ", new TreeSet<>(HyperParameters.NAMES)) + ", units_1 .. units_64 (per-layer widths)");
    }
  }

  private static void positive(String field, int value) {
    if (value < 1) {
      throw new InvalidStudyException(field, "must be positive, was " + value);
    }
  }

  private static void finite(String field, double value) {
    if (!Double.isFinite(value)) {
      throw new InvalidStudyException(field, "must be a finite number, was " + value);
    }
  }

  private static void whole(String field, double value) {
    if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
      throw new InvalidStudyException(field, "INTEGER bounds must be whole numbers, was " + value);
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
