package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.StudySpecParser;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link AdaptiveSearch} routes a study, read off the pipeline graph it builds (nothing runs). */
class AdaptiveSearchTest {
  @TempDir Path tmp;

  private static StudySpec study(String search) {
    return StudySpecParser.parse("""
        metric: {name: eval_loss}
        algorithm: SUCCESSIVE_HALVING
        maxTrials: 9
        trainSteps: 90
        search: %s
        parameters: [{name: learning_rate, type: DOUBLE, min: 0.001, max: 0.1, scale: LOG}]
        fixed: {model: linear}
        """.formatted(search), "sh.yaml");
  }

  private List<String> trainSteps(StudySpec study) {
    SearchSettings search = SearchSettings.of(study);
    OutputLayout layout = new OutputLayout(tmp.toString());
    TrialSettings settings = TrialSettings.of(study, layout, 1, AdaptiveSearch.trialCount(study, search),
        StorageConfig.defaults());
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Search", AdaptiveSearch.of(study, search, settings));
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        if (node.getTransform() instanceof RunTrials) {
          names.add(node.getFullName().replace("Search/Search/", ""));
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }
    });
    return names;
  }

  @Test
  void successiveHalvingWithMedianStoppingTrainsEachRungInRounds() {
    StudySpec plain = study("{eta: 3, minBudget: 10}");
    assertTrue(SearchSettings.isAdaptive(plain, SearchSettings.of(plain)));
    // 9 trials over budgets 10, 30, 90: rungs of 9, 3 and 1 trials.
    assertEquals(List.of("Bracket0/Rung0/Train", "Bracket0/Rung1/Train", "Bracket0/Rung2/Train"), trainSteps(plain));

    StudySpec median = study("{eta: 3, minBudget: 10, roundSize: 3, medianStopping: {minTrials: 2}}");
    assertFalse(SearchSettings.of(median).runsInRounds(median.algorithm()), "rungs, not BatchedRounds");
    assertEquals(List.of(
            "Bracket0/Rung0/Round0/Train", "Bracket0/Rung0/Round1/Train", "Bracket0/Rung0/Round2/Train",
            "Bracket0/Rung1/Round0/Train", "Bracket0/Rung2/Round0/Train"),
        trainSteps(median).stream().sorted().toList());
  }
}
