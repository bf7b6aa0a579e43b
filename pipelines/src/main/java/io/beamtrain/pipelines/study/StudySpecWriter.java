package io.beamtrain.pipelines.study;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link StudySpec} as the JSON form of the spec format, so {@link StudySpecParser} reads
 * it back to an equal spec. The sweep stores the resolved study ({@code --seed} and overrides
 * applied) as {@code <output>/study.json}; {@code export} re-selects with its metric. The {@code
 * search} block is written resolved ({@link SearchSettings#toBlock}: eta, minBudget, brackets,
 * roundSize, medianStopping as the search ran them, defaults spelt out), so study.json alone
 * re-runs the same search; it is left out when the algorithm uses none of it. A multi-objective
 * or constrained study is written as {@code metrics}, {@code constraints} and {@code select} (the
 * default selection spelt out); a single-metric one as {@code metric}, as it always was.
 */
public final class StudySpecWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StudySpecWriter() {}

  public static String toJson(StudySpec spec) {
    Map<String, Object> root = new LinkedHashMap<>();
    StudyObjectives objectives = spec.objectives();
    if (objectives.isSingleMetricOnly()) {
      // A single-metric study keeps the form it always had, so its study.json is unchanged.
      root.put("metric", Map.of("name", spec.metric().name(), "goal", spec.metric().goal().name()));
    } else {
      root.put("metrics", objectives.metrics().stream()
          .map(o -> Map.of("metric", o.metric(), "goal", o.goal().name())).toList());
      if (!objectives.constraints().isEmpty()) {
        List<Map<String, Object>> constraints = new ArrayList<>();
        for (OutcomeConstraint c : objectives.constraints()) {
          Map<String, Object> node = new LinkedHashMap<>();
          node.put("metric", c.metric());
          if (c.min() != null) {
            node.put("min", c.min());
          }
          if (c.max() != null) {
            node.put("max", c.max());
          }
          constraints.add(node);
        }
        root.put("constraints", constraints);
      }
      root.put("select", Map.of("metric", objectives.select()));
    }
    root.put("algorithm", spec.algorithm().name());
    if (spec.maxTrials() != null) {
      root.put("maxTrials", spec.maxTrials());
    }
    root.put("seed", spec.seed());
    root.put("trainSteps", spec.trainSteps());
    root.put("evalEverySteps", spec.evalEverySteps());
    root.put("checkpointEverySteps", spec.checkpointEverySteps());
    root.put("earlyStoppingPatience", spec.earlyStoppingPatience());
    List<Map<String, Object>> parameters = new ArrayList<>();
    for (ParameterSpec p : spec.parameters()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("name", p.name());
      node.put("type", p.type().name());
      if (p.type().isRange()) {
        node.put("min", p.type() == ParameterType.INTEGER ? (Object) p.min().longValue() : p.min());
        node.put("max", p.type() == ParameterType.INTEGER ? (Object) p.max().longValue() : p.max());
        node.put("scale", p.scale().name());
        if (p.gridPoints() != null) {
          node.put("gridPoints", p.gridPoints());
        }
      } else {
        node.put("values", p.values());
      }
      if (p.isConditional()) {
        node.put("when", p.when());
      }
      parameters.add(node);
    }
    root.put("parameters", parameters);
    root.put("fixed", spec.fixed());
    if (spec.warmStart() != null) {
      Map<String, Object> warm = new LinkedHashMap<>();
      warm.put("from", spec.warmStart().from());
      if (spec.warmStart().taken() != null) {
        List<Map<String, Object>> taken = new ArrayList<>();
        for (WarmStartSpec.Source source : spec.warmStart().taken()) {
          Map<String, Object> node = new LinkedHashMap<>();
          node.put("from", source.from());
          node.put("trials", source.trials());
          node.put("skipped", source.skipped());
          if (!source.note().isEmpty()) {
            node.put("note", source.note());
          }
          taken.add(node);
        }
        warm.put("taken", taken);
      }
      root.put("warmStart", warm);
    }
    Map<String, Object> search = SearchSettings.of(spec).toBlock(spec);
    if (!search.isEmpty()) {
      root.put("search", search);
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write study spec", e);
    }
  }
}
