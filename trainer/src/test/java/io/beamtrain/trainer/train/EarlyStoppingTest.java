package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

  @Test
  void stopsAfterPatienceEvaluationsWithoutStrictImprovement() {
    EarlyStopping stopping = new EarlyStopping("eval_loss", Goal.MINIMIZE, 2);
    assertFalse(stopping.observe(100, 1.0));
    assertFalse(stopping.observe(200, 0.5));
    assertFalse(stopping.observe(300, 0.5)); // equal is no improvement
    assertTrue(stopping.observe(400, 0.7));
    assertEquals(
        "early stopping at step 400: eval_loss did not improve for 2 evaluations (best 0.5 at step 200)",
        stopping.reason(400));
  }

  @Test
  void maximizeGoalAndDisabledPatience() {
    EarlyStopping max = new EarlyStopping("eval_accuracy", Goal.MAXIMIZE, 1);
    assertFalse(max.observe(1, 0.5));
    assertFalse(max.observe(2, 0.6));
    assertTrue(max.observe(3, 0.6));
    EarlyStopping off = new EarlyStopping("eval_loss", Goal.MINIMIZE, 0);
    for (int i = 0; i < 10; i++) {
      assertFalse(off.observe(i, 1.0));
    }
  }
}
