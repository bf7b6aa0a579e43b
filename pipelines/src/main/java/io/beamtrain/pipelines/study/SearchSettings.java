package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The algorithm-specific part of a study spec, its optional {@code search} block:
 *
 * <pre>{@code
 * algorithm: HYPERBAND
 * trainSteps: 2700           # the maximum budget
 * search:
 *   eta: 3                   # SUCCESSIVE_HALVING, HYPERBAND, ASHA: cut and budget factor (default 3)
 *   minBudget: 100           # SUCCESSIVE_HALVING, HYPERBAND, ASHA: first rung's steps (default trainSteps / eta^2)
 *   brackets: 3              # HYPERBAND: how many brackets, most exploratory first (default all)
 *   workers: 8               # ASHA: jobs running at once (default: the launching machine's cores, at most maxTrials)
 *   maxSteps: 20000          # ASHA: training steps of all jobs together (default: successive halving's for maxTrials)
 *   sampler: TPE             # ASHA: where new trials come from, RANDOM (default) or TPE (see the search package's AshaSampler)
 *   roundSize: 4             # TPE, NSGA2 and median stopping: trials per round (default a quarter of the
 *                            # trials; for SUCCESSIVE_HALVING / HYPERBAND of the largest rung)
 *   medianStopping: {minSteps: 200, minTrials: 3}   # off unless present
 * }</pre>
 *
 * Validated against the study with {@link InvalidStudyException}s naming {@code search.<field>}.
 * Successive halving and Hyperband take their maximum budget from {@code trainSteps}; a
 * successive-halving or ASHA study starts {@code maxTrials} trials; a Hyperband study's trial count
 * follows from its brackets. ASHA stops trials by its own promotions, so median stopping is
 * rejected there, and it takes {@code workers}: how many of its loops run at once. Median stopping compares a trial with finished trials at equal steps,
 * so it runs trials in rounds: TPE's rounds, rounds of {@code roundSize} for GRID, RANDOM and
 * QUASI_RANDOM, and for SUCCESSIVE_HALVING and HYPERBAND rounds within each rung (see the search package's
 * {@code SuccessiveHalving.withMedianStopping}). {@link #toBlock} writes the resolved block back, so the
 * sweep's study.json is a complete, re-runnable spec.
 *
 * @param eta cut and budget growth factor, at least 2
 * @param minBudget first rung's budget in steps
 * @param brackets Hyperband brackets (ignored otherwise)
 * @param roundSize trials per round
 * @param medianStopping the median rule, or null for off
 * @param workers ASHA's jobs at once (1 for the other algorithms)
 * @param maxSteps ASHA's step budget for all jobs together (0 for the other algorithms)
 * @param sampler where ASHA's new trials come from (RANDOM for the other algorithms)
 */
public record SearchSettings(
    int eta, int minBudget, int brackets, int roundSize, MedianStopping medianStopping, int workers,
    long maxSteps, Sampler sampler)
    implements Serializable {
  public static final int DEFAULT_ETA = 3;
  private static final Set<String> FIELDS =
      Set.of("eta", "minBudget", "brackets", "roundSize", "medianStopping", "workers", "maxSteps", "sampler");
  private static final Set<String> MEDIAN_FIELDS = Set.of("minSteps", "minTrials");

  /** Whether this study runs in the search package's {@code BatchedRounds} (TPE, or median stopping on another non-rung algorithm). */
  public boolean runsInRounds(Algorithm algorithm) {
    return isModelBased(algorithm) || (medianStopping != null && !isMultiFidelity(algorithm));
  }

  /** Whether the study needs this package's pipeline rather than the plain sweep. */
  public static boolean isAdaptive(StudySpec study, SearchSettings search) {
    return study.algorithm() == Algorithm.PBT || isMultiFidelity(study.algorithm()) || search.runsInRounds(study.algorithm());
  }

  /** TPE and NSGA2: each round's trials come from the results of the earlier rounds. */
  static boolean isModelBased(Algorithm algorithm) {
    return algorithm == Algorithm.TPE || algorithm == Algorithm.NSGA2;
  }

  static boolean isMultiFidelity(Algorithm algorithm) {
    return algorithm == Algorithm.SUCCESSIVE_HALVING || algorithm == Algorithm.HYPERBAND
        || algorithm == Algorithm.ASHA;
  }

  /** The settings of {@code study}'s {@code search} block, defaults resolved against the rest of the spec. */
  public static SearchSettings of(StudySpec study) {
    return of(study.search(), study);
  }

  /**
   * The block that reproduces these settings for {@code study}: every field the algorithm uses,
   * resolved (defaults written out), plus any other field {@code study} gave. Empty for a plain
   * GRID, RANDOM or QUASI_RANDOM study. {@code of(study.withSearch(toBlock(study)))} equals these
   * settings.
   */
  public Map<String, Object> toBlock(StudySpec study) {
    Algorithm algorithm = study.algorithm();
    if (algorithm == Algorithm.PBT) {
      return PbtSettings.of(study).toBlock();
    }
    Map<String, Object> block = new LinkedHashMap<>();
    Map<String, Object> given = study.search();
    if (isMultiFidelity(algorithm) || given.containsKey("eta")) {
      block.put("eta", eta);
    }
    if (isMultiFidelity(algorithm) || given.containsKey("minBudget")) {
      block.put("minBudget", minBudget);
    }
    if (algorithm == Algorithm.HYPERBAND || given.containsKey("brackets")) {
      block.put("brackets", brackets);
    }
    if (isModelBased(algorithm) || medianStopping != null || given.containsKey("roundSize")) {
      block.put("roundSize", roundSize);
    }
    if (algorithm == Algorithm.ASHA || given.containsKey("workers")) {
      block.put("workers", workers);
    }
    if (algorithm == Algorithm.ASHA || given.containsKey("maxSteps")) {
      block.put("maxSteps", maxSteps);
    }
    if (algorithm == Algorithm.ASHA || given.containsKey("sampler")) {
      block.put("sampler", sampler.name());
    }
    if (medianStopping != null) {
      Map<String, Object> median = new LinkedHashMap<>();
      median.put("minSteps", medianStopping.minSteps());
      median.put("minTrials", medianStopping.minTrials());
      block.put("medianStopping", median);
    }
    return block;
  }

  /** The settings of a parsed {@code search} node (null = all defaults), validated against {@code study}. */
  public static SearchSettings of(Object node, StudySpec study) {
    Algorithm algorithm = study.algorithm();
    if (algorithm == Algorithm.PBT) {
      // PBT's block is its own (PbtSettings); the fields here keep their neutral values.
      PbtSettings.of(node, study);
      return new SearchSettings(DEFAULT_ETA, 1, 1, 1, null, 1, 0, Sampler.RANDOM);
    }
    Map<?, ?> block = node == null ? Map.of() : asMap("search", node);
    checkFields("search.", block, FIELDS);
    boolean multiFidelity = isMultiFidelity(algorithm);
    for (String field : new String[] {"eta", "minBudget"}) {
      if (block.containsKey(field) && !multiFidelity) {
        throw new InvalidStudyException("search." + field, "only used by SUCCESSIVE_HALVING, HYPERBAND and ASHA, not " + algorithm);
      }
    }
    if (block.containsKey("brackets") && algorithm != Algorithm.HYPERBAND) {
      throw new InvalidStudyException("search.brackets", "only used by HYPERBAND, not " + algorithm);
    }
    for (String field : new String[] {"workers", "maxSteps", "sampler"}) {
      if (block.containsKey(field) && algorithm != Algorithm.ASHA) {
        throw new InvalidStudyException("search." + field, "only used by ASHA, not " + algorithm);
      }
    }
    if (block.containsKey("roundSize") && algorithm == Algorithm.ASHA) {
      throw new InvalidStudyException("search.roundSize", "not used by ASHA, which has no rounds");
    }
    if (block.containsKey("medianStopping") && algorithm == Algorithm.ASHA) {
      throw new InvalidStudyException("search.medianStopping",
          "not used by ASHA, which stops trials itself: only the top 1/eta of each rung go on");
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
    int workers = 1;
    long maxSteps = 0;
    Sampler sampler = Sampler.RANDOM;
    if (block.get("sampler") != null) {
      sampler = Sampler.parse(String.valueOf(block.get("sampler")));
      if (sampler == null) {
        throw new InvalidStudyException("search.sampler", "must be RANDOM or TPE, was " + block.get("sampler"));
      }
    }
    if (algorithm == Algorithm.ASHA) {
      List<Integer> budgets = Brackets.ashaBudgets(minBudget, maxBudget, eta);
      Object given = block.get("maxSteps");
      if (given != null && !(given instanceof Integer || given instanceof Long)) {
        throw new InvalidStudyException("search.maxSteps", "must be a whole number, was " + given);
      }
      maxSteps = given == null
          ? Brackets.plannedSteps(budgets, eta, trials)
          : ((Number) given).longValue();
      if (maxSteps < budgets.get(0)) {
        throw new InvalidStudyException("search.maxSteps",
            "must be at least the first rung's budget (" + budgets.get(0) + "), was " + maxSteps);
      }
      workers = intField(block, "workers", Math.max(1, Math.min(trials, Runtime.getRuntime().availableProcessors())));
      if (workers < 1 || workers > trials) {
        throw new InvalidStudyException(
            "search.workers", "must be between 1 and maxTrials (" + trials + "), was " + workers);
      }
    }
    // The largest group that is cut into rounds: all trials, or the largest rung.
    int roundable = algorithm == Algorithm.HYPERBAND
        ? Brackets.hyperband(minBudget, maxBudget, eta, brackets).get(0).trials()
        : trials;
    String what = algorithm == Algorithm.HYPERBAND ? "the largest rung's trials" : "maxTrials";
    int roundSize = intField(block, "roundSize", Math.max(1, (roundable + 3) / 4));
    if (roundSize < 1 || roundSize > roundable) {
      throw new InvalidStudyException(
          "search.roundSize", "must be between 1 and " + what + " (" + roundable + "), was " + roundSize);
    }
    MedianStopping median = null;
    if (block.containsKey("medianStopping")) {
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
      if (minTrials >= roundable) {
        // Round k compares with the trials of rounds < k: with no more trials than minTrials in the
        // largest group, no trial could ever have enough references and the rule would be inert.
        throw new InvalidStudyException("search.medianStopping.minTrials",
            "must be less than " + what + " (" + roundable + "), or no trial ever has " + minTrials
                + " earlier trials to compare with; was " + minTrials);
      }
      median = new MedianStopping(minSteps, minTrials);
    }
    return new SearchSettings(eta, minBudget, brackets, roundSize, median, workers, maxSteps, sampler);
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

  /** Where ASHA's new trials come from: the names {@code search.sampler} accepts. */
  public enum Sampler { RANDOM, TPE;

    /** The sampler named {@code name} in any case, or null. */
    public static Sampler parse(String name) {
      for (Sampler k : values()) {
        if (k.name().equals(name.toUpperCase(Locale.ROOT))) {
          return k;
        }
      }
      return null;
    }
  }
}
