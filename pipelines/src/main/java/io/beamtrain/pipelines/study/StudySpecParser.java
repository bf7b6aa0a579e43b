package io.beamtrain.pipelines.study;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a study spec from YAML or JSON (JSON is read as YAML, so both share one code path and one
 * set of messages) and validates it with {@link StudyValidator}. Every error is an {@link
 * InvalidStudyException} naming the source and the field, e.g. {@code study.yaml: parameters[0].scale:
 * unknown value 'LOGARITHMIC'; expected one of [LINEAR, LOG]}. Unknown fields are errors, not
 * ignored: a misspelt {@code maxTrial} must not silently run the default trial count.
 *
 * <p>Defaults: {@code algorithm} RANDOM, {@code seed} 0, {@code maxTrials} per {@link StudySpec},
 * {@code trainSteps} 1000, {@code evalEverySteps} 100, {@code checkpointEverySteps} 200, {@code
 * earlyStoppingPatience} 0, {@code metric.goal} the metric's natural goal, {@code scale} LINEAR.
 * Thread-safe (a new YAML loader per call).
 */
public final class StudySpecParser {
  private static final Set<String> ROOT_FIELDS = Set.of(
      "metric", "algorithm", "maxTrials", "seed", "trainSteps", "evalEverySteps",
      "checkpointEverySteps", "earlyStoppingPatience", "parameters", "fixed", "search", "metrics",
      "constraints", "select", "warmStart");
  private static final Set<String> WARM_START_FIELDS = Set.of("from", "taken");
  private static final Set<String> WARM_SOURCE_FIELDS = Set.of("from", "trials", "skipped", "note");
  private static final Set<String> METRIC_FIELDS = Set.of("name", "goal");
  private static final Set<String> OBJECTIVE_FIELDS = Set.of("metric", "goal");
  private static final Set<String> CONSTRAINT_FIELDS = Set.of("metric", "min", "max");
  private static final Set<String> SELECT_FIELDS = Set.of("metric");
  private static final Set<String> PARAMETER_FIELDS =
      Set.of("name", "type", "min", "max", "scale", "values", "gridPoints", "when");

  private StudySpecParser() {}

  /**
   * Parses and validates a spec.
   *
   * @param text the YAML or JSON document
   * @param source a name for messages, usually the file path
   */
  public static StudySpec parse(String text, String source) {
    try {
      Object tree = load(text);
      StudySpec spec = fromTree(tree);
      StudyValidator.validate(spec);
      // The algorithm-specific block is resolved by the search pipeline; checked here so a bad
      // value fails with the rest of the spec.
      SearchSettings.of(spec);
      return spec;
    } catch (InvalidStudyException e) {
      throw e.inSource(source);
    }
  }

  private static Object load(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    try {
      return new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      throw new InvalidStudyException("<root>", "not valid YAML or JSON: " + oneLine(e.getMessage()));
    }
  }

  private static StudySpec fromTree(Object tree) {
    Map<String, Object> root = map("<root>", tree);
    checkFields("", root, ROOT_FIELDS);
    if (root.containsKey("metric") && root.containsKey("metrics")) {
      throw new InvalidStudyException("metrics", "give either metric (one) or metrics (a list), not both");
    }
    if (!root.containsKey("metric") && !root.containsKey("metrics")) {
      throw new InvalidStudyException("metric", "required, e.g. {name: eval_accuracy, goal: MAXIMIZE}"
          + " (or metrics: [{metric: eval_rmse, goal: MINIMIZE}, {metric: model_params, goal: MINIMIZE}])");
    }
    List<Objective> objectives = root.containsKey("metrics")
        ? objectives(root.get("metrics"))
        : List.of(objective(metric(root.get("metric"))));
    StudyObjectives studyObjectives = new StudyObjectives(
        objectives, constraints(root.get("constraints")), select(root.get("select")));
    MetricSpec trainerMetric = studyObjectives.trainerMetric();
    studyObjectives.selectObjective();
    return new StudySpec(
        trainerMetric,
        root.containsKey("algorithm")
            ? enumValue("algorithm", root.get("algorithm"), Algorithm.class)
            : Algorithm.RANDOM,
        root.containsKey("maxTrials") ? integer("maxTrials", root.get("maxTrials")) : null,
        root.containsKey("seed") ? longValue("seed", root.get("seed")) : 0L,
        intOr(root, "trainSteps", StudySpec.DEFAULT_TRAIN_STEPS),
        intOr(root, "evalEverySteps", StudySpec.DEFAULT_EVAL_EVERY_STEPS),
        intOr(root, "checkpointEverySteps", StudySpec.DEFAULT_CHECKPOINT_EVERY_STEPS),
        intOr(root, "earlyStoppingPatience", 0),
        parameters(root.get("parameters")),
        fixed(root.get("fixed")),
        search(root.get("search")),
        studyObjectives.isSingleMetricOnly() ? null : studyObjectives,
        root.containsKey("warmStart") ? warmStart(root.get("warmStart")) : null);
  }

  /**
   * The {@code warmStart} block: {@code from}, a non-empty list of earlier outputs; {@code taken}
   * is what a sweep resolved them to (study.json writes it), read back so study.json parses.
   */
  private static WarmStartSpec warmStart(Object node) {
    Map<String, Object> block = map("warmStart", node);
    checkFields("warmStart.", block, WARM_START_FIELDS);
    List<?> from = list("warmStart.from", required("warmStart.from", block.get("from")));
    if (from.isEmpty()) {
      throw new InvalidStudyException("warmStart.from", "lists no earlier output; e.g. from: [gs://bucket/sweeps/2026-11-30]");
    }
    List<String> dirs = new ArrayList<>();
    for (int i = 0; i < from.size(); i++) {
      String dir = string("warmStart.from[" + i + "]", required("warmStart.from[" + i + "]", from.get(i)));
      if (dir.isBlank()) {
        throw new InvalidStudyException("warmStart.from[" + i + "]", "must not be empty");
      }
      dirs.add(dir);
    }
    if (!block.containsKey("taken")) {
      return WarmStartSpec.of(dirs);
    }
    List<?> taken = list("warmStart.taken", block.get("taken"));
    List<WarmStartSpec.Source> sources = new ArrayList<>();
    for (int i = 0; i < taken.size(); i++) {
      String path = "warmStart.taken[" + i + "]";
      Map<String, Object> source = map(path, taken.get(i));
      checkFields(path + ".", source, WARM_SOURCE_FIELDS);
      sources.add(new WarmStartSpec.Source(
          string(path + ".from", required(path + ".from", source.get("from"))),
          integer(path + ".trials", required(path + ".trials", source.get("trials"))),
          source.containsKey("skipped") ? integer(path + ".skipped", source.get("skipped")) : 0,
          source.containsKey("note") ? string(path + ".note", source.get("note")) : ""));
    }
    return WarmStartSpec.of(dirs).resolved(sources);
  }

  private static Objective objective(MetricSpec metric) {
    return new Objective(metric.name(), metric.goal());
  }

  /** The {@code metrics} list: eval and model metrics, each once, each with its goal. */
  private static List<Objective> objectives(Object node) {
    List<Objective> out = new ArrayList<>();
    List<?> list = list("metrics", node);
    if (list.isEmpty()) {
      throw new InvalidStudyException("metrics", "must name at least one metric");
    }
    for (int i = 0; i < list.size(); i++) {
      String path = "metrics[" + i + "]";
      Map<String, Object> entry = map(path, list.get(i));
      checkFields(path + ".", entry, OBJECTIVE_FIELDS);
      String name = metricName(path + ".metric", entry.get("metric"));
      for (int j = 0; j < out.size(); j++) {
        if (out.get(j).metric().equals(name)) {
          throw new InvalidStudyException(path + ".metric", "duplicate metric '" + name + "' (also metrics[" + j + "])");
        }
      }
      Goal goal = entry.containsKey("goal")
          ? enumValue(path + ".goal", entry.get("goal"), Goal.class)
          : StudyMetrics.naturalGoal(name);
      out.add(new Objective(name, goal));
    }
    return out;
  }

  /** The {@code constraints} list: a metric and at least one inclusive bound each. */
  private static List<OutcomeConstraint> constraints(Object node) {
    if (node == null) {
      return List.of();
    }
    List<OutcomeConstraint> out = new ArrayList<>();
    List<?> list = list("constraints", node);
    for (int i = 0; i < list.size(); i++) {
      String path = "constraints[" + i + "]";
      Map<String, Object> entry = map(path, list.get(i));
      checkFields(path + ".", entry, CONSTRAINT_FIELDS);
      String name = metricName(path + ".metric", entry.get("metric"));
      Double min = entry.containsKey("min") ? number(path + ".min", required(path + ".min", entry.get("min"))) : null;
      Double max = entry.containsKey("max") ? number(path + ".max", required(path + ".max", entry.get("max"))) : null;
      if (min == null && max == null) {
        throw new InvalidStudyException(path, "needs min or max (or both), e.g. {metric: " + name + ", max: 20000}");
      }
      if (min != null && max != null && min > max) {
        throw new InvalidStudyException(path + ".min", min + " is greater than max " + max);
      }
      out.add(new OutcomeConstraint(name, min, max));
    }
    return out;
  }

  /** The {@code select} block's metric, null when absent (the first objective). */
  private static String select(Object node) {
    if (node == null) {
      return null;
    }
    Map<String, Object> select = map("select", node);
    checkFields("select.", select, SELECT_FIELDS);
    return metricName("select.metric", select.get("metric"));
  }

  private static String metricName(String path, Object node) {
    String name = string(path, required(path, node));
    if (!StudyMetrics.isKnown(name)) {
      throw new InvalidStudyException(path, "unknown metric '" + name + "'; expected one of " + StudyMetrics.known());
    }
    return name;
  }

  private static List<?> list(String path, Object node) {
    if (!(node instanceof List<?> list)) {
      throw new InvalidStudyException(path, "expected a list, was " + describe(node));
    }
    return list;
  }

  /** The {@code search} block's fields as given; {@code SearchSettings} checks their meaning. */
  private static Map<String, Object> search(Object node) {
    if (node == null) {
      return Map.of();
    }
    Map<String, Object> search = map("search", node);
    // "medianStopping:" with nothing after it means "on, with the defaults".
    if (search.containsKey("medianStopping") && search.get("medianStopping") == null) {
      search.put("medianStopping", Map.of());
    }
    return search;
  }

  private static MetricSpec metric(Object node) {
    Map<String, Object> metric = map("metric", node);
    checkFields("metric.", metric, METRIC_FIELDS);
    String name = string("metric.name", required("metric.name", metric.get("name")));
    if (!MetricSpec.NAMES.contains(name)) {
      throw new InvalidStudyException(
          "metric.name",
          "unknown metric '" + name + "'; expected one of " + new TreeSet<>(MetricSpec.NAMES));
    }
    Goal goal = metric.containsKey("goal")
        ? enumValue("metric.goal", metric.get("goal"), Goal.class)
        : StudyMetrics.naturalGoal(name);
    return new MetricSpec(name, goal);
  }

  private static List<ParameterSpec> parameters(Object node) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof List<?> list)) {
      throw new InvalidStudyException("parameters", "expected a list of parameters, was " + describe(node));
    }
    List<ParameterSpec> parameters = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "parameters[" + i + "]";
      Map<String, Object> p = map(path, list.get(i));
      checkFields(path + ".", p, PARAMETER_FIELDS);
      String name = string(path + ".name", required(path + ".name", p.get("name")));
      ParameterType type =
          enumValue(path + ".type", required(path + ".type", p.get("type")), ParameterType.class);
      if (p.containsKey("scale") && !type.isRange()) {
        throw new InvalidStudyException(path + ".scale", "not used by " + type + " parameters");
      }
      parameters.add(new ParameterSpec(
          name,
          type,
          p.containsKey("min") ? number(path + ".min", p.get("min")) : null,
          p.containsKey("max") ? number(path + ".max", p.get("max")) : null,
          p.containsKey("scale") ? enumValue(path + ".scale", p.get("scale"), Scale.class) : Scale.LINEAR,
          p.containsKey("values") ? values(path + ".values", p.get("values"), type) : null,
          p.containsKey("gridPoints") ? integer(path + ".gridPoints", p.get("gridPoints")) : null,
          p.containsKey("when") ? when(path + ".when", p.get("when")) : null));
    }
    return parameters;
  }

  /**
   * A {@code when} block: parent parameter to the list of its values that activate the parameter
   * (a single value may be given without brackets). Whether the parents and values exist is
   * {@link StudyValidator}'s check, against the whole parameter list.
   */
  private static Map<String, List<Object>> when(String path, Object node) {
    Map<String, Object> when = map(path, node);
    if (when.isEmpty()) {
      throw new InvalidStudyException(path, "names no parent; e.g. when: {optimizer: [sgd]}");
    }
    Map<String, List<Object>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : when.entrySet()) {
      String parentPath = path + "." + e.getKey();
      List<?> raw = e.getValue() instanceof List<?> list ? list : java.util.Collections.singletonList(e.getValue());
      if (raw.isEmpty()) {
        throw new InvalidStudyException(parentPath, "lists no value of '" + e.getKey() + "'");
      }
      List<Object> values = new ArrayList<>();
      for (int j = 0; j < raw.size(); j++) {
        values.add(scalar(parentPath + "[" + j + "]", required(parentPath + "[" + j + "]", raw.get(j))));
      }
      out.put(e.getKey(), values);
    }
    return out;
  }

  private static List<Object> values(String path, Object node, ParameterType type) {
    if (!(node instanceof List<?> list)) {
      throw new InvalidStudyException(path, "expected a list, was " + describe(node));
    }
    List<Object> values = new ArrayList<>();
    for (int j = 0; j < list.size(); j++) {
      Object value = list.get(j);
      String valuePath = path + "[" + j + "]";
      if (value == null) {
        throw new InvalidStudyException(valuePath, "must not be null");
      }
      if (type == ParameterType.DISCRETE) {
        values.add(numberPreservingInteger(valuePath, value));
      } else if (type == ParameterType.CATEGORICAL && (value instanceof Map || value instanceof List)) {
        throw new InvalidStudyException(valuePath, "expected a string, was " + describe(value));
      } else {
        values.add(type == ParameterType.CATEGORICAL ? value.toString() : value);
      }
    }
    return values;
  }

  private static SortedMap<String, Object> fixed(Object node) {
    SortedMap<String, Object> out = new TreeMap<>();
    if (node == null) {
      return out;
    }
    Map<String, Object> fixed = map("fixed", node);
    for (Map.Entry<String, Object> e : fixed.entrySet()) {
      String path = "fixed." + e.getKey();
      Object value = e.getValue();
      if (value instanceof List<?> list) {
        // A list is allowed for list-valued hyperparameters such as hidden_layers: [64, 32].
        List<Object> items = new ArrayList<>();
        for (int j = 0; j < list.size(); j++) {
          items.add(scalar(path + "[" + j + "]", list.get(j)));
        }
        out.put(e.getKey(), items);
      } else {
        out.put(e.getKey(), scalar(path, value));
      }
    }
    return out;
  }

  private static Object scalar(String path, Object value) {
    if (value instanceof Number n) {
      return numberPreservingInteger(path, n);
    }
    if (value instanceof String || value instanceof Boolean) {
      return value;
    }
    throw new InvalidStudyException(path, "expected a string, number or boolean, was " + describe(value));
  }

  private static void checkFields(String prefix, Map<String, Object> node, Set<String> allowed) {
    for (String key : node.keySet()) {
      if (!allowed.contains(key)) {
        throw new InvalidStudyException(
            prefix + key, "unknown field; expected one of " + new TreeSet<>(allowed));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(String path, Object node) {
    if (!(node instanceof Map<?, ?> map)) {
      throw new InvalidStudyException(path, "expected a mapping, was " + describe(node));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new InvalidStudyException(path, "field names must be strings, was " + e.getKey());
      }
      out.put(key, e.getValue());
    }
    return out;
  }

  private static Object required(String path, Object value) {
    if (value == null) {
      throw new InvalidStudyException(path, "required");
    }
    return value;
  }

  private static String string(String path, Object value) {
    if (!(value instanceof String s)) {
      throw new InvalidStudyException(path, "expected a string, was " + describe(value));
    }
    return s;
  }

  private static <E extends Enum<E>> E enumValue(String path, Object value, Class<E> type) {
    String text = string(path, required(path, value));
    try {
      return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidStudyException(
          path, "unknown value '" + text + "'; expected one of " + Arrays.toString(type.getEnumConstants()));
    }
  }

  private static double number(String path, Object value) {
    return numberPreservingInteger(path, value).doubleValue();
  }

  /** Integers stay integers (hidden_units 64 must reach the trainer as 64, not 64.0). */
  private static Number numberPreservingInteger(String path, Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return (Number) value;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      // YAML 1.1 reads exponents without a dot ("1e-4") as strings; accept them as numbers.
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new InvalidStudyException(path, "expected a number, was '" + s + "'");
      }
    }
    throw new InvalidStudyException(path, "expected a number, was " + describe(value));
  }

  private static long longValue(String path, Object value) {
    Number n = numberPreservingInteger(path, required(path, value));
    if (n instanceof Double d) {
      if (d != Math.rint(d) || Math.abs(d) >= 0x1.0p63) {
        throw new InvalidStudyException(path, "expected a whole number, was " + d);
      }
      return d.longValue();
    }
    return n.longValue();
  }

  private static int integer(String path, Object value) {
    long n = longValue(path, value);
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw new InvalidStudyException(path, "out of range: " + n);
    }
    return (int) n;
  }

  private static int intOr(Map<String, Object> root, String field, int fallback) {
    return root.containsKey(field) ? integer(field, root.get(field)) : fallback;
  }

  private static String describe(Object node) {
    if (node == null) {
      return "empty";
    }
    if (node instanceof Map) {
      return "a mapping";
    }
    if (node instanceof List) {
      return "a list";
    }
    return "'" + node + "'";
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}
