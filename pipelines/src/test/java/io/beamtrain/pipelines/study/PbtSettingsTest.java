package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PbtSettingsTest {
  private static final String BASE = """
      metric: {name: eval_loss, goal: MINIMIZE}
      algorithm: PBT
      maxTrials: 6
      trainSteps: 1000
      evalEverySteps: 50
      parameters:
        - {name: learning_rate, type: DOUBLE, min: 0.0001, max: 0.1, scale: LOG}
        - {name: dropout, type: DOUBLE, min: 0, max: 0.5}
        - {name: hidden_units, type: DISCRETE, values: [16, 32]}
      """;

  @Test
  void defaultsChangeTheSearchedParametersThatKeepTheShapes() {
    StudySpec study = StudySpecParser.parse(BASE, "pbt.yaml");
    PbtSettings pbt = PbtSettings.of(study);
    assertEquals(new PbtSettings(6, 250, 0.25, 0.25, List.of(0.8, 1.2), List.of("learning_rate", "dropout")), pbt);
    assertEquals(4, pbt.generations(1000));
    assertTrue(SearchSettings.isAdaptive(study, SearchSettings.of(study)));
    // study.json's block re-reads to the same settings.
    StudySpec again = study.withSearch(SearchSettings.of(study).toBlock(study));
    assertEquals(pbt, PbtSettings.of(again));
    assertEquals(Map.of("populationSize", 6, "perturbationInterval", 250, "quantile", 0.25, "resampleProbability", 0.25,
        "factors", List.of(0.8, 1.2), "mutable", List.of("learning_rate", "dropout")), again.search());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      shape-changing parameter | {mutable: [hidden_units]}             | search.mutable | hidden_units
      not searched             | {mutable: [l2]}                       | search.mutable | l2
      interval off the evals   | {perturbationInterval: 120}           | search.perturbationInterval | evalEverySteps
      interval above trainSteps | {perturbationInterval: 2000}         | search.perturbationInterval | trainSteps
      quantile above a half    | {quantile: 0.6}                       | search.quantile | 0.6
      population of one        | {populationSize: 1}                   | search.populationSize | 2
      median stopping          | {medianStopping: {minTrials: 2}}      | search.medianStopping | PBT
      asha field               | {eta: 3}                              | search.eta | PBT
      zero factor              | {factors: [0, 1.2]}                   | search.factors | positive
      """)
  void rejectsByField(String what, String block, String field, String mentioned) {
    InvalidStudyException e = assertThrows(InvalidStudyException.class,
        () -> StudySpecParser.parse(BASE + "search: " + block + "\n", "pbt.yaml"));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(mentioned), e.getMessage());
  }
}
