package io.beamtrain.trainer.model.optimizers.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void exponentialDecayMatchesKeras() {
    LearningRateSchedule s = new LearningRateSchedule(0.1, LearningRateDecay.EXPONENTIAL, 100, 0.5, 0);
    assertEquals(0.1, s.rateAt(0), 1e-15);
    assertEquals(0.05, s.rateAt(100), 1e-15);
    assertEquals(0.1 * Math.pow(0.5, 1.5), s.rateAt(150), 1e-15);
  }

  @Test
  void cosineDecayReachesAlphaAndStaysThere() {
    LearningRateSchedule s = new LearningRateSchedule(0.2, LearningRateDecay.COSINE, 1000, 1, 0.1);
    assertEquals(0.2, s.rateAt(0), 1e-15);
    assertEquals(0.2 * (0.9 * 0.5 + 0.1), s.rateAt(500), 1e-12);
    assertEquals(0.02, s.rateAt(1000), 1e-15);
    assertEquals(0.02, s.rateAt(5000), 1e-15);
  }

  @Test
  void rejectsNonPositiveRateAndHorizon() {
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LearningRateSchedule(0.1, LearningRateDecay.COSINE, 0, 1, 0));
  }
}
