package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The study's {@code metrics}, {@code constraints} and {@code select} fields. */
class StudyObjectivesParserTest {
  private static final String PARAMS = """
      parameters:
        - {name: hidden_units, type: DISCRETE, values: [8, 64]}
      """;

  private static final String MULTI = """
      metrics:
        - {metric: eval_rmse, goal: MINIMIZE}
        - {metric: model_params}
      constraints: [{metric: serving_latency_ms, max: 5}, {metric: model_params, min: 10, max: 20000}]
      select: {metric: model_params}
      """ + PARAMS;

  @Test
  void readsMetricsConstraintsAndSelect() {
    StudySpec spec = StudySpecParser.parse(MULTI, "study.yaml");
    StudyObjectives objectives = spec.objectives();
    assertEquals(List.of(new Objective("eval_rmse", Goal.MINIMIZE), new Objective("model_params", Goal.MINIMIZE)),
        objectives.metrics());
    assertEquals(List.of(new OutcomeConstraint("serving_latency_ms", null, 5.0),
        new OutcomeConstraint("model_params", 10.0, 20000.0)), objectives.constraints());
    assertEquals("model_params", objectives.select());
    // The trainer keeps each trial's best checkpoint by the first eval metric.
    assertEquals(new MetricSpec("eval_rmse", Goal.MINIMIZE), spec.metric());
    assertTrue(objectives.isMultiObjective());
  }

  @Test
  void studyJsonRecordsTheResolvedObjectivesAndReadsBackEqual() {
    StudySpec spec = StudySpecParser.parse("metrics: [{metric: eval_loss}, {metric: serving_latency_ms}]\n" + PARAMS, "s");
    String json = StudySpecWriter.toJson(spec);
    // The default selection is spelt out.
    assertTrue(json.contains("\"select\" : {\n    \"metric\" : \"eval_loss\""), json);
    assertEquals(spec, StudySpecParser.parse(json, "study.json"));
    StudySpec constrained = StudySpecParser.parse(MULTI, "s");
    assertEquals(constrained, StudySpecParser.parse(StudySpecWriter.toJson(constrained), "study.json"));
  }

  @Test
  void aSingleMetricStudyKeepsItsStudyJson() {
    StudySpec spec = StudySpecParser.parse("metric: {name: eval_accuracy}\n" + PARAMS, "s");
    String json = StudySpecWriter.toJson(spec);
    assertTrue(json.startsWith("{\n  \"metric\" : {"), json);
    assertFalse(json.contains("metrics") || json.contains("select") || json.contains("constraints"), json);
    assertEquals(StudyObjectives.single(spec.metric()), spec.objectives());
    // The one-entry list form is the same study, written the old way.
    StudySpec asList = StudySpecParser.parse("metrics: [{metric: eval_accuracy}]\n" + PARAMS, "s");
    assertEquals(spec, asList);
    assertEquals(json, StudySpecWriter.toJson(asList));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "metric: {name: eval_loss}\\nmetrics: [{metric: eval_rmse}]|study.yaml: metrics: give either metric",
      "metrics: []|study.yaml: metrics: must name at least one metric",
      "metrics: [{metric: eval_rmse}, {metric: eval_rmse}]|study.yaml: metrics[1].metric: duplicate metric 'eval_rmse'",
      "metrics: [{metric: eval_rmse}, {metric: size}]|study.yaml: metrics[1].metric: unknown metric 'size'",
      "metrics: [{metric: eval_rmse, goal: LOWER}]|study.yaml: metrics[0].goal: unknown value 'LOWER'",
      "metrics: [{name: eval_rmse}]|study.yaml: metrics[0].name: unknown field",
      "metrics: [{metric: model_params}]|study.yaml: metrics: needs at least one eval_* metric",
      "metric: {name: eval_loss}\\nconstraints: [{metric: model_params}]|study.yaml: constraints[0]: needs min or max",
      "metric: {name: eval_loss}\\nconstraints: [{metric: model_params, min: 5, max: 1}]|study.yaml: constraints[0].min: 5.0 is greater than max 1.0",
      "metric: {name: eval_loss}\\nconstraints: [{metric: params, max: 1}]|study.yaml: constraints[0].metric: unknown metric 'params'",
      "metrics: [{metric: eval_loss}, {metric: model_params}]\\nselect: {metric: eval_rmse}|study.yaml: select.metric: 'eval_rmse' is not one of the study's metrics",
      "metric: {name: eval_loss}\\nselect: {name: eval_loss}|study.yaml: select.name: unknown field",
      "metrics: [{metric: eval_loss}, {metric: model_params}]\\nalgorithm: TPE|study.yaml: algorithm: TPE optimises one metric",
      "metrics: [{metric: eval_loss}, {metric: model_params}]\\nalgorithm: ASHA\\nsearch: {sampler: TPE}|study.yaml: search.sampler: TPE models one metric",
  })
  void errorsNameTheField(String head, String expected) {
    InvalidStudyException e = assertThrows(InvalidStudyException.class,
        () -> StudySpecParser.parse(head.replace("\\n", "\n") + "\n" + PARAMS, "study.yaml"));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }
}
