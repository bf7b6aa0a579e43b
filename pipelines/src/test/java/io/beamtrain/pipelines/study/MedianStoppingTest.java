package io.beamtrain.pipelines.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MedianStoppingTest {
  private static final MetricSpec LOSS = new MetricSpec("eval_loss", Goal.MINIMIZE);

  /** A finished trial evaluated every 10 steps with the given values. */
  private static TrialResult reference(String id, double... values) {
    List<Evaluation> history = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      history.add(new Evaluation(10L * (i + 1), Map.of("eval_loss", values[i])));
    }
    return new TrialResult(id, TrialStatus.COMPLETED, 10L * values.length, 10L, Map.of(), history,
        Map.of(), 1, null, null, 1.0);
  }

  private static final List<TrialResult> REFERENCES = List.of(
      reference("trial-0000", 1.0, 0.8, 0.6),
      reference("trial-0001", 0.9, 0.7, 0.5),
      reference("trial-0002", 1.2, 0.4, 0.45),
      reference("trial-0003", 2.0));

  @Test
  void stopsWhenTheBestSoFarIsWorseThanTheMedianOfTheReferencesAtTheSameStep() {
    MedianStopping rule = new MedianStopping(0, 3);
    // Step 10: references 1.0, 0.9, 1.2, 2.0 -> median 1.1.
    assertNull(rule.stopReason(LOSS, 10, 1.05, REFERENCES));
    assertEquals(
        "median stopping at step 10: best eval_loss 1.15000 is worse than the median 1.10000 of 4 earlier trials at that step",
        rule.stopReason(LOSS, 10, 1.15, REFERENCES));
    // Step 20: best-so-far of trial-0000..2 are 0.8, 0.7, 0.4 (trial-0003 was not evaluated there).
    assertNull(rule.stopReason(LOSS, 20, 0.7, REFERENCES));
    assertEquals(true, rule.stopReason(LOSS, 20, 0.75, REFERENCES).contains("median 0.700000 of 3"));
  }

  @Test
  void needsEnoughReferencesAtThatStepAndRespectsMinSteps() {
    assertNull(new MedianStopping(0, 4).stopReason(LOSS, 20, 5.0, REFERENCES));
    assertNull(new MedianStopping(15, 1).stopReason(LOSS, 10, 5.0, REFERENCES));
    assertNull(new MedianStopping(0, 1).stopReason(LOSS, 15, 5.0, REFERENCES), "no evaluation at step 15");
    assertEquals(true, new MedianStopping(0, 1).stopReason(LOSS, 10, Double.NaN, REFERENCES) != null);
  }
}
