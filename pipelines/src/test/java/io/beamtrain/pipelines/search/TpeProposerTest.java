package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Scale;
import io.beamtrain.trainer.MetricSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TpeProposerTest {
  static final List<ParameterSpec> SPACE = List.of(ParameterSpec.doubleRange("learning_rate", 1e-4, 0.1, Scale.LOG));

  static TpeProposer proposer(int roundSize, int maxTrials) {
    return new TpeProposer(SPACE, Map.of(), MetricSpec.defaultMetric(), 1, roundSize, maxTrials);
  }

  @Test
  void startupIsTenQuasiRandomTrialsButAtMostHalfTheStudyAndAtLeastTheFirstRound() {
    // A default study (8 trials, rounds of 2) keeps a model for its second half.
    assertEquals(4, proposer(2, 8).startupTrials());
    assertEquals(8, proposer(4, 16).startupTrials());
    assertEquals(10, proposer(8, 32).startupTrials());
    assertEquals(6, proposer(6, 8).startupTrials());
    assertEquals(1, proposer(1, 1).startupTrials());
  }
}
