package io.beamtrain.pipelines.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import org.junit.jupiter.api.Test;

class PromotionTest {
  static Score accuracy(double value) {
    return new Score("eval_accuracy", Goal.MAXIMIZE, value, 100);
  }

  static Score rmse(double value) {
    return new Score("eval_rmse", Goal.MINIMIZE, value, 100);
  }

  @Test
  void firstChallengerIsPromotedWithoutAChampion() {
    Promotion.Decision d = Promotion.decide(null, accuracy(0.4), 0.05);
    assertTrue(d.promote());
    assertTrue(d.reason().contains("no champion yet"), d.reason());
  }

  @Test
  void challengerMustBeatTheChampionByTheMargin() {
    assertTrue(Promotion.decide(accuracy(0.80), accuracy(0.86), 0.05).promote());
    Promotion.Decision close = Promotion.decide(accuracy(0.80), accuracy(0.84), 0.05);
    assertFalse(close.promote());
    assertTrue(close.reason().contains("improvement +0.0400 does not meet --minImprovement 0.0500"), close.reason());
    assertFalse(Promotion.decide(accuracy(0.80), accuracy(0.80), 0).promote(), "a tie is no win");
    assertFalse(Promotion.decide(accuracy(0.80), accuracy(0.70), 0).promote());
  }

  @Test
  void lowerIsBetterForRmse() {
    assertTrue(Promotion.decide(rmse(2.0), rmse(1.5), 0.1).promote());
    assertFalse(Promotion.decide(rmse(2.0), rmse(2.5), 0).promote());
  }

  @Test
  void nonFiniteChallengerOrMarginIsNeverPromoted() {
    assertFalse(Promotion.decide(accuracy(0.5), accuracy(Double.NaN), 0).promote());
    assertThrows(IllegalArgumentException.class, () -> Promotion.decide(null, accuracy(0.5), -0.1));
    assertThrows(IllegalArgumentException.class, () -> Promotion.decide(null, accuracy(0.5), Double.NaN));
  }

  @Test
  void differentMetricsCannotBeCompared() {
    assertThrows(IllegalArgumentException.class, () -> Promotion.decide(accuracy(0.5), rmse(0.4), 0));
  }

  @Test
  void reasonNamesBothValues() {
    String reason = Promotion.decide(accuracy(0.5), accuracy(0.75), 0).reason();
    assertEquals(true, reason.contains("0.7500") && reason.contains("0.5000"), reason);
  }
}
