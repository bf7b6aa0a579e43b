package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Conditional search spaces: the {@code when} field, its validation, and the non-adaptive samplers. */
class ConditionalSpaceTest {
  /** momentum only for SGD; per-layer widths only for the layers num_layers has. */
  static final List<ParameterSpec> TREE = List.of(
      ParameterSpec.categorical("optimizer", "adam", "sgd"),
      ParameterSpec.doubleRange("momentum", 0.5, 0.99, Scale.LINEAR).when("optimizer", "sgd"),
      ParameterSpec.integerRange("num_layers", 1, 3),
      ParameterSpec.discrete("units_2", 16, 32).when("num_layers", 2, 3),
      ParameterSpec.discrete("units_3", 8, 16).when("num_layers", 3),
      ParameterSpec.doubleRange("learning_rate", 1e-3, 1e-1, Scale.LOG));

  private static final String SPEC = """
      metric: {name: eval_loss}
      algorithm: %s
      maxTrials: 40
      parameters:
        - {name: optimizer, type: CATEGORICAL, values: [adam, sgd]}
        - {name: momentum, type: DOUBLE, min: 0.5, max: 0.99, gridPoints: 2, when: {optimizer: [sgd]}}
        - {name: num_layers, type: INTEGER, min: 1, max: 3}
        - {name: units_2, type: DISCRETE, values: [16, 32], when: {num_layers: [2, 3]}}
        - {name: units_3, type: DISCRETE, values: [8, 16], when: {num_layers: 3}}
        - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1, scale: LOG, gridPoints: 2}
      """;

  /** Every trial has exactly the parameters its parents' values make active. */
  static void assertFollowsTheTree(Map<String, Object> params) {
    assertTrue(params.containsKey("optimizer") && params.containsKey("num_layers") && params.containsKey("learning_rate"),
        "unconditional parameters are always there: " + params);
    assertEquals("sgd".equals(params.get("optimizer")), params.containsKey("momentum"), params.toString());
    int layers = ((Number) params.get("num_layers")).intValue();
    assertEquals(layers >= 2, params.containsKey("units_2"), params.toString());
    assertEquals(layers == 3, params.containsKey("units_3"), params.toString());
    params.values().forEach(v -> assertTrue(v != null, "no dummy value: " + params));
  }

  @ParameterizedTest
  @EnumSource(value = Algorithm.class, names = {"RANDOM", "QUASI_RANDOM", "GRID", "SUCCESSIVE_HALVING", "PBT"})
  void everyTrialHoldsOnlyItsActiveParameters(Algorithm algorithm) {
    StudySpec spec = StudySpecParser.parse(SPEC.formatted(algorithm), "study.yaml");
    List<Trial> trials = spec.trials();
    Set<Boolean> momentumSeen = new HashSet<>();
    Set<Integer> depths = new HashSet<>();
    for (Trial t : trials) {
      assertFollowsTheTree(t.params());
      momentumSeen.add(t.params().containsKey("momentum"));
      depths.add(((Number) t.params().get("num_layers")).intValue());
    }
    assertEquals(Set.of(true, false), momentumSeen, "both branches of optimizer are sampled");
    assertEquals(Set.of(1, 2, 3), depths);
  }

  @Test
  void gridEnumeratesTheTreeNotTheProduct() {
    StudySpec spec = StudySpecParser.parse(SPEC.formatted("GRID").replace("maxTrials: 40\n", ""), "study.yaml");
    List<Trial> trials = spec.trials();
    Set<SortedMap<String, Object>> distinct = new HashSet<>();
    trials.forEach(t -> distinct.add(t.params()));
    assertEquals(trials.size(), distinct.size(), "no two trials differ only in an inactive parameter");
    // optimizer: adam | sgd x 2 momentum points = 3; num_layers: 1 | 2 x 2 units_2 | 3 x 2 x 2 = 7;
    // learning_rate 2 points: 3 * 7 * 2 = 42, against 2 * 2 * 3 * 2 * 2 * 2 = 96 for the full product.
    assertEquals(42, trials.size());
    trials.forEach(t -> assertFollowsTheTree(t.params()));
  }

  @Test
  void parsesWhenAndWritesItBackIntoStudyJson() {
    StudySpec spec = StudySpecParser.parse(SPEC.formatted("RANDOM"), "study.yaml");
    assertEquals(Map.of("optimizer", List.of("sgd")), spec.parameters().get(1).when());
    assertEquals(Map.of("num_layers", List.of(3)), spec.parameters().get(4).when(), "a single value needs no brackets");
    assertFalse(spec.parameters().get(0).isConditional());
    String json = StudySpecWriter.toJson(spec);
    assertTrue(json.contains("\"when\""), json);
    assertEquals(spec, StudySpecParser.parse(json, "study.json"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // the when, the field named, words of the message
      "{optimiser: [sgd]}| parameters[1].when.optimiser| not a search parameter",
      "{optimizer: [nesterov]}| parameters[1].when.optimizer[0]| never takes the value nesterov",
      "{learning_rate: [0.01]}| parameters[1].when.learning_rate| is a DOUBLE",
      "{num_layers: [4]}| parameters[1].when.num_layers[0]| never takes the value 4",
      "{batch_size: [64]}| parameters[1].when.batch_size| it is fixed",
      "{}| parameters[1].when| names no parent",
      "{optimizer: []}| parameters[1].when.optimizer| lists no value",
  })
  void aWhenThatNamesNoParameterOrValueIsRefusedByField(String when, String field, String words) {
    String text = """
        metric: {name: eval_loss}
        fixed: {batch_size: 64}
        parameters:
          - {name: optimizer, type: CATEGORICAL, values: [adam, sgd]}
          - {name: momentum, type: DOUBLE, min: 0.5, max: 0.99, when: %s}
          - {name: num_layers, type: INTEGER, min: 1, max: 3}
          - {name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1}
        """.formatted(when);
    InvalidStudyException e = assertThrows(InvalidStudyException.class, () -> StudySpecParser.parse(text, "s.yaml"));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith("s.yaml: " + field + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(words), e.getMessage());
  }

  @Test
  void aCycleOfConditionsIsRefusedNamingIt() {
    String text = """
        metric: {name: eval_loss}
        parameters:
          - {name: optimizer, type: CATEGORICAL, values: [adam, sgd], when: {num_layers: [2]}}
          - {name: num_layers, type: INTEGER, min: 1, max: 3, when: {optimizer: [sgd]}}
        """;
    InvalidStudyException e = assertThrows(InvalidStudyException.class, () -> StudySpecParser.parse(text, "s.yaml"));
    assertEquals("parameters[0].when", e.field());
    assertTrue(e.getMessage().contains("cycle: optimizer -> num_layers -> optimizer"), e.getMessage());
  }

  @Test
  void aParentMayComeAfterItsChildInTheList() {
    List<ParameterSpec> reordered = List.of(TREE.get(1), TREE.get(0));
    StudySpec spec = new StudySpec(new MetricSpec("eval_loss", Goal.MINIMIZE), Algorithm.RANDOM, 30, 5, 10, 10, 10, 0,
        reordered, Map.of());
    for (Trial t : spec.trials()) {
      assertEquals("sgd".equals(t.params().get("optimizer")), t.params().containsKey("momentum"), t.params().toString());
    }
  }

  @Test
  void pruningLeavesAnUnconditionalSpaceAlone() {
    List<ParameterSpec> flat = TREE.stream()
        .map(p -> new ParameterSpec(p.name(), p.type(), p.min(), p.max(), p.scale(), p.values(), p.gridPoints()))
        .toList();
    assertFalse(ConditionalSpace.of(flat).isConditional());
    assertEquals(flat, ConditionalSpace.of(flat).order());
    assertEquals(List.of(flat), ConditionalSpace.of(flat).groups());
    assertEquals(4, ConditionalSpace.of(TREE).groups().size(), "unconditional, momentum, units_2, units_3");
  }
}
