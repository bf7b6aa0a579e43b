package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StudySpecParserTest {

  private static final String DESIGN_EXAMPLE = """
      metric: {name: eval_accuracy, goal: MAXIMIZE}
      algorithm: RANDOM
      maxTrials: 16
      seed: 42
      trainSteps: 2000
      evalEverySteps: 100
      checkpointEverySteps: 200
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.0001, max: 0.1, scale: LOG}
        - {name: hidden_units, type: DISCRETE, values: [32, 64, 128]}
        - {name: num_layers, type: INTEGER, min: 1, max: 3}
        - {name: optimizer, type: CATEGORICAL, values: [adam, sgd]}
      fixed: {model: dnn, batch_size: 64}
      """;

  @Test
  void readsTheDesignExample() {
    StudySpec spec = StudySpecParser.parse(DESIGN_EXAMPLE, "study.yaml");
    assertEquals(new MetricSpec("eval_accuracy", Goal.MAXIMIZE), spec.metric());
    assertEquals(Algorithm.RANDOM, spec.algorithm());
    assertEquals(16, spec.maxTrials());
    assertEquals(42L, spec.seed());
    assertEquals(2000, spec.trainSteps());
    assertEquals(100, spec.evalEverySteps());
    assertEquals(200, spec.checkpointEverySteps());
    assertEquals(4, spec.parameters().size());
    ParameterSpec lr = spec.parameters().get(0);
    assertEquals(ParameterType.DOUBLE, lr.type());
    assertEquals(Scale.LOG, lr.scale());
    assertEquals(0.0001, lr.min());
    assertEquals(List.of(32, 64, 128), spec.parameters().get(1).values());
    assertEquals(List.of("adam", "sgd"), spec.parameters().get(3).values());
    assertEquals(Map.of("model", "dnn", "batch_size", 64), spec.fixed());
  }

  @Test
  void readsTheSameSpecFromJson() {
    String json = """
        {"metric": {"name": "eval_loss"}, "algorithm": "GRID", "seed": 7,
         "parameters": [{"name": "learning_rate", "type": "DOUBLE", "min": 1e-3, "max": 1e-1,
                         "scale": "LOG", "gridPoints": 3}],
         "fixed": {"model": "linear"}}
        """;
    StudySpec spec = StudySpecParser.parse(json, "study.json");
    assertEquals(Goal.MINIMIZE, spec.metric().goal(), "goal defaults to the metric's natural goal");
    assertEquals(Algorithm.GRID, spec.algorithm());
    assertNull(spec.maxTrials());
    assertEquals(0.001, spec.parameters().get(0).min());
    assertEquals(3, spec.parameters().get(0).gridPoints());
    assertEquals(StudySpec.DEFAULT_TRAIN_STEPS, spec.trainSteps());
  }

  @Test
  void acceptsExponentsWithoutADot() {
    StudySpec spec = StudySpecParser.parse("""
        metric: {name: eval_loss}
        parameters: [{name: l2, type: DOUBLE, min: 1e-5, max: 1e-2, scale: LOG}]
        """, "s.yaml");
    assertEquals(1e-5, spec.parameters().get(0).min());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown root field     | maxTrial: 3                                                        | maxTrial
      unknown metric         | metric: {name: eval_f1}                                            | metric.name
      unknown metric field   | metric: {name: eval_loss, direction: MINIMIZE}                     | metric.direction
      goal against metric    | metric: {name: eval_loss, goal: MAXIMIZE}                          | metric.goal
      unknown goal           | metric: {name: eval_loss, goal: LOWER}                             | metric.goal
      unknown algorithm      | algorithm: BAYES                                                   | algorithm
      eta below 2            | algorithm: HYPERBAND\\nsearch: {eta: 1}                            | search.eta
      brackets on random     | search: {brackets: 2}                                              | search.brackets
      inert median stopping  | maxTrials: 4\\nsearch: {medianStopping: {minTrials: 4}}           | search.medianStopping.minTrials
      median field unknown   | algorithm: HYPERBAND\\nsearch: {medianStopping: {patience: 2}}  | search.medianStopping.patience
      unknown search field   | algorithm: TPE\\nsearch: {rounds: 3}                               | search.rounds
      workers on hyperband   | algorithm: HYPERBAND\\nsearch: {workers: 2}                       | search.workers
      zero asha workers      | algorithm: ASHA\\nmaxTrials: 4\\nsearch: {workers: 0}            | search.workers
      more workers than trials | algorithm: ASHA\\nmaxTrials: 4\\nsearch: {workers: 5}          | search.workers
      median stopping on asha | algorithm: ASHA\\nsearch: {medianStopping: {}}                   | search.medianStopping
      rounds on asha         | algorithm: ASHA\\nsearch: {roundSize: 2}                         | search.roundSize
      step budget on tpe     | algorithm: TPE\\nsearch: {maxSteps: 1000}                       | search.maxSteps
      sampler on hyperband   | algorithm: HYPERBAND\\nsearch: {sampler: TPE}                     | search.sampler
      unknown sampler        | algorithm: ASHA\\nsearch: {sampler: GP}                           | search.sampler
      step budget below a rung | algorithm: ASHA\\ntrainSteps: 900\\nsearch: {minBudget: 100, maxSteps: 99} | search.maxSteps
      zero trials            | maxTrials: 0                                                       | maxTrials
      fractional trainSteps  | trainSteps: 10.5                                                   | trainSteps
      negative eval interval | evalEverySteps: -1                                                 | evalEverySteps
      text seed              | seed: abc                                                          | seed
      min above max          | parameters: [{name: dropout, type: DOUBLE, min: 0.1, max: 1}, {name: l2, type: DOUBLE, min: 5, max: 2}] | parameters[1].min
      log with zero min      | parameters: [{name: dropout, type: DOUBLE, min: 0, max: 1, scale: LOG}] | parameters[0].min
      log with negative min  | parameters: [{name: dropout, type: INTEGER, min: -1, max: 4, scale: LOG}] | parameters[0].min
      missing max            | parameters: [{name: dropout, type: DOUBLE, min: 1}]                      | parameters[0].max
      fractional integer     | parameters: [{name: dropout, type: INTEGER, min: 1, max: 2.5}]           | parameters[0].max
      values on a range      | parameters: [{name: dropout, type: INTEGER, min: 1, max: 2, values: [1]}] | parameters[0].values
      empty values           | parameters: [{name: dropout, type: DISCRETE, values: []}]                | parameters[0].values
      empty categories       | parameters: [{name: dropout, type: CATEGORICAL, values: []}]             | parameters[0].values
      missing values         | parameters: [{name: dropout, type: CATEGORICAL}]                         | parameters[0].values
      text in discrete       | parameters: [{name: dropout, type: DISCRETE, values: [1, two]}]          | parameters[0].values[1]
      duplicate value        | parameters: [{name: dropout, type: CATEGORICAL, values: [x, y, x]}]      | parameters[0].values[2]
      min on a list          | parameters: [{name: dropout, type: DISCRETE, values: [1], min: 0}]       | parameters[0].min
      scale on a list        | parameters: [{name: dropout, type: CATEGORICAL, values: [x], scale: LOG}] | parameters[0].scale
      unknown type           | parameters: [{name: dropout, type: FLOAT, min: 0, max: 1}]               | parameters[0].type
      unknown scale          | parameters: [{name: dropout, type: DOUBLE, min: 1, max: 2, scale: LOGARITHMIC}] | parameters[0].scale
      unknown param field    | parameters: [{name: dropout, type: DOUBLE, min: 1, max: 2, step: 1}]     | parameters[0].step
      missing name           | parameters: [{type: DOUBLE, min: 1, max: 2}]                       | parameters[0].name
      duplicate name         | parameters: [{name: dropout, type: DOUBLE, min: 1, max: 2}, {name: dropout, type: INTEGER, min: 1, max: 2}] | parameters[1].name
      parameters not a list  | parameters: {name: a}                                              | parameters
      fixed and searched     | parameters: [{name: dropout, type: DOUBLE, min: 1, max: 2}]\\nfixed: {dropout: 3} | fixed.dropout
      unknown hyperparameter | parameters: [{name: hidden_unit, type: INTEGER, min: 1, max: 2}]   | parameters[0].name
      unknown fixed name     | fixed: {optimiser: adam}                                           | fixed.optimiser
      fixed not scalar       | fixed: {hidden_layers: [64, {a: 1}]}                               | fixed.hidden_layers[1]
      grid double no points  | algorithm: GRID\\nparameters: [{name: dropout, type: DOUBLE, min: 1, max: 2}] | parameters[0].gridPoints
      zero grid points       | parameters: [{name: dropout, type: DOUBLE, min: 1, max: 2, gridPoints: 0}] | parameters[0].gridPoints
      """)
  void rejectsWithTheFieldName(String caseName, String body, String field) {
    String text = body.contains("metric:") ? body : "metric: {name: eval_loss}\n" + body;
    InvalidStudyException e = assertThrows(
        InvalidStudyException.class,
        () -> StudySpecParser.parse(text.replace("\\n", "\n"), "my-study.yaml"));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith("my-study.yaml: " + field + ": "), e.getMessage());
  }

  @Test
  void writtenJsonReadsBackToTheSameSpec() {
    StudySpec spec = StudySpecParser.parse(DESIGN_EXAMPLE, "study.yaml").withSeed(-3);
    String json = StudySpecWriter.toJson(spec);
    assertEquals(spec, StudySpecParser.parse(json, "study.json"));
    assertEquals(spec.trials(), StudySpecParser.parse(json, "study.json").trials());
  }

  @Test
  void theSearchBlockIsWrittenResolvedAndReadsBackToTheSameSpec() throws Exception {
    String explicit = """
        metric: {name: eval_loss}
        algorithm: HYPERBAND
        trainSteps: 810
        search: {eta: 3, minBudget: 30, brackets: 3, roundSize: 7, medianStopping: {minSteps: 60, minTrials: 2}}
        parameters: [{name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1, scale: LOG}]
        """;
    StudySpec spec = StudySpecParser.parse(explicit, "hb.yaml");
    assertEquals(spec, StudySpecParser.parse(StudySpecWriter.toJson(spec), "study.json"));

    // Defaults are spelt out, so study.json re-runs the same search even if a default changes.
    StudySpec partial = StudySpecParser.parse("""
        metric: {name: eval_loss}
        algorithm: HYPERBAND
        trainSteps: 810
        search: {medianStopping: {}}
        parameters: [{name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1, scale: LOG}]
        """, "partial.yaml");
    String json = StudySpecWriter.toJson(partial);
    Map<?, ?> written = (Map<?, ?>) new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Map.class)
        .get("search");
    assertEquals(Map.of("eta", 3, "minBudget", 90, "brackets", 3, "roundSize", 3,
        "medianStopping", Map.of("minSteps", 0, "minTrials", 3)), written);
    StudySpec reread = StudySpecParser.parse(json, "study.json");
    assertEquals(SearchSettings.of(partial), SearchSettings.of(reread));
    assertEquals(partial.withSearch(reread.search()), reread);
    assertEquals(json, StudySpecWriter.toJson(reread));
  }

  @Test
  void plainStudiesWriteNoSearchBlockAndOverridesMoveTheDefaults() {
    StudySpec random = StudySpecParser.parse(DESIGN_EXAMPLE, "study.yaml");
    assertTrue(random.search().isEmpty());
    assertTrue(!StudySpecWriter.toJson(random).contains("\"search\""));

    StudySpec halving = StudySpecParser.parse(
        "metric: {name: eval_loss}\nalgorithm: SUCCESSIVE_HALVING\ntrainSteps: 900", "sh.yaml");
    assertEquals(100, SearchSettings.of(halving).minBudget());
    // --trainSteps 2700: the default minBudget follows (trainSteps / eta^2), as the sweep resolves it.
    assertEquals(300, SearchSettings.of(halving.withBudget(2700, 100, 100)).minBudget());
  }

  @Test
  void fixedListsAreKept() {
    StudySpec spec = StudySpecParser.parse(
        "metric: {name: eval_loss}\nfixed: {hidden_layers: [64, 32], model: dnn}", "s.yaml");
    assertEquals(List.of(64, 32), spec.fixed().get("hidden_layers"));
  }

  @Test
  void missingMetricIsNamed() {
    InvalidStudyException e =
        assertThrows(InvalidStudyException.class, () -> StudySpecParser.parse("maxTrials: 3", "s.yaml"));
    assertEquals("metric", e.field());
  }

  @Test
  void brokenYamlNamesTheFileAndLine() {
    InvalidStudyException e = assertThrows(
        InvalidStudyException.class,
        () -> StudySpecParser.parse("metric: {name: eval_loss\nseed: [", "broken.yaml"));
    assertTrue(e.getMessage().startsWith("broken.yaml: <root>: not valid YAML or JSON"), e.getMessage());
    assertTrue(e.getMessage().contains("line"), e.getMessage());
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThrows(
        InvalidStudyException.class,
        () -> StudySpecParser.parse("metric: {name: eval_loss}\nseed: 1\nseed: 2", "dup.yaml"));
  }

  @Test
  void defaultStudyIsValidAndSelectsByLoss() {
    StudySpec spec = Studies.defaultStudy();
    assertEquals(new MetricSpec("eval_loss", Goal.MINIMIZE), spec.metric());
    assertTrue(spec.trials().size() >= 4);
  }
}
