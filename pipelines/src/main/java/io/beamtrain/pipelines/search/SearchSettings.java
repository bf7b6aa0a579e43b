package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.InvalidStudyException;
import io.beamtrain.pipelines.study.StudySpec;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The algorithm-specific part of a study spec, its optional {@code search} block:
 *
 * <pre>{@code
 * algorithm: HYPERBAND
 * trainSteps: 2700           # the maximum budget
 * search:
 *   eta: 3                   # SUCCESSIVE_HALVING, HYPERBAND: cut and budget factor (default 3)
 *   minBudget: 100           # SUCCESSIVE_HALVING, HYPERBAND: first rung's steps (default trainSteps / eta^2)
 *   brackets: 3              # HYPERBAND: how many brackets, most exploratory first (default all)
 *   roundSize: 4             # TPE and median stopping: trials per round (default ceil(maxTrials / 4))
 *   medianStopping: {minSteps: 200, minTrials: 3}   # off unless present
 * }</pre>
 *
 * Validated against the study with {@link InvalidStudyException}s naming {@code search.<field>}.
 * Successive halving and Hyperband take their maximum budget from {@code trainSteps}; a
 * successive-halving study starts {@code maxTrials} trials; a Hyperband study's trial count
 * follows from its brackets. Median stopping needs earlier trials at equal steps, so it runs the
 * other algorithms in rounds; the rung cuts of successive halving and Hyperband already stop their
 * worse trials, and there it is rejected.
 *
 * @param eta cut and budget growth factor, at least 2
 * @param minBudget first rung's budget in steps
 * @param brackets Hyperband brackets (ignored otherwise)
 * @param roundSize trials per round
 * @param medianStopping the median rule, or null for off
 */
public record SearchSettings(
    int eta, int minBudget, int brackets, int roundSize, MedianStopping medianStopping)
    implements Serializable {
  public static final int DEFAULT_ETA = 3;
  private static final Set<String> FIELDS =
      Set.of("eta", "minBudget", "brackets", "roundSize", "medianStopping");
  private static final Set<String> MEDIAN_FIELDS = Set.of("minSteps", "minTrials");

  /** Whether this study runs in {@link BatchedRounds} (TPE, or median stopping on). */
  public boolean runsInRounds(Algorithm algorithm) {
    return algorithm == Algorithm.TPE || medianStopping != null;
  }

  /** Whether the study needs this package's pipeline rather than the plain sweep. */
  public static boolean isAdaptive(StudySpec study, SearchSettings search) {
    return study.algorithm() == Algorithm.SUCCESSIVE_HALVING
        || study.algorithm() == Algorithm.HYPERBAND
        || search.runsInRounds(study.algorithm());
  }

  /** Reads the {@code search} block of a study file's text (YAML or JSON). */
  public static SearchSettings parse(String text, String source, StudySpec study) {
    try {
      Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      return of(tree instanceof Map<?, ?> root ? root.get("search") : null, study);
    } catch (YAMLException e) {
      throw new InvalidStudyException("<root>", "not valid YAML or JSON").inSource(source);
    } catch (InvalidStudyException e) {
      throw e.inSource(source);
    }
  }

  /** The settings of a parsed {@code search} node (null = all defaults), validated against {@code study}. */
  public static SearchSettings of(Object node, StudySpec study) {
    Map<?, ?> block = node == null ? Map.of() : asMap("search", node);
    checkFields("search.", block, FIELDS);
    Algorithm algorithm = study.algorithm();
    boolean multiFidelity = algorithm == Algorithm.SUCCESSIVE_HALVING || algorithm == Algorithm.HYPERBAND;
    for (String field : new String[] {"eta", "minBudget"}) {
      if (block.containsKey(field) && !multiFidelity) {
        throw new InvalidStudyException("search." + field, "only used by SUCCESSIVE_HALVING and HYPERBAND, not " + algorithm);
      }
    }
    if (block.containsKey("brackets") && algorithm != Algorithm.HYPERBAND) {
      throw new InvalidStudyException("search.brackets", "only used by HYPERBAND, not " + algorithm);
    }
    int eta = intField(block, "eta", DEFAULT_ETA);
    if (eta < 2) {
      throw new InvalidStudyException("search.eta", "must be at least 2, was " + eta);
    }
    int maxBudget = study.trainSteps();
    int minBudget = intField(block, "minBudget", Math.max(1, maxBudget / (eta * eta)));
    if (minBudget < 1 || minBudget > maxBudget) {
      throw new InvalidStudyException(
          "search.minBudget", "must be between 1 and trainSteps (" + maxBudget + "), was " + minBudget);
    }
    int maxBrackets = Brackets.maxExtraRungs(minBudget, maxBudget, eta) + 1;
    int brackets = intField(block, "brackets", maxBrackets);
    if (brackets < 1 || brackets > maxBrackets) {
      throw new InvalidStudyException("search.brackets",
          "must be between 1 and " + maxBrackets + " (floor(log_eta(trainSteps / minBudget)) + 1), was " + brackets);
    }
    int trials = study.maxTrials() == null ? StudySpec.DEFAULT_MAX_TRIALS : study.maxTrials();
    int roundSize = intField(block, "roundSize", Math.max(1, (trials + 3) / 4));
    if (roundSize < 1 || roundSize > trials) {
      throw new InvalidStudyException(
          "search.roundSize", "must be between 1 and maxTrials (" + trials + "), was " + roundSize);
    }
    MedianStopping median = null;
    if (block.containsKey("medianStopping")) {
      if (multiFidelity) {
        throw new InvalidStudyException("search.medianStopping",
            algorithm + " already stops the worse trials at each rung; median stopping applies to"
                + " GRID, RANDOM, QUASI_RANDOM and TPE");
      }
      Map<?, ?> m = block.get("medianStopping") == null ? Map.of() : asMap("search.medianStopping", block.get("medianStopping"));
      checkFields("search.medianStopping.", m, MEDIAN_FIELDS);
      int minSteps = intField(m, "minSteps", MedianStopping.DEFAULT_MIN_STEPS, "search.medianStopping.");
      int minTrials = intField(m, "minTrials", MedianStopping.DEFAULT_MIN_TRIALS, "search.medianStopping.");
      if (minSteps < 0) {
        throw new InvalidStudyException("search.medianStopping.minSteps", "must be 0 or positive, was " + minSteps);
      }
      if (minTrials < 1) {
        throw new InvalidStudyException("search.medianStopping.minTrials", "must be at least 1, was " + minTrials);
      }
      median = new MedianStopping(minSteps, minTrials);
    }
    return new SearchSettings(eta, minBudget, brackets, roundSize, median);
  }

  private static Map<?, ?> asMap(String path, Object node) {
    if (!(node instanceof Map<?, ?> map)) {
      throw new InvalidStudyException(path, "expected a mapping, was " + node);
    }
    return map;
  }

  private static void checkFields(String prefix, Map<?, ?> node, Set<String> allowed) {
    for (Object key : node.keySet()) {
      if (!allowed.contains(String.valueOf(key))) {
        throw new InvalidStudyException(
            prefix + key, "unknown field; expected one of " + new TreeSet<>(allowed));
      }
    }
  }

  private static int intField(Map<?, ?> node, String field, int fallback) {
    return intField(node, field, fallback, "search.");
  }

  private static int intField(Map<?, ?> node, String field, int fallback, String prefix) {
    Object value = node.get(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer i)) {
      throw new InvalidStudyException(prefix + field, "must be a whole number, was " + value);
    }
    return i;
  }
}
