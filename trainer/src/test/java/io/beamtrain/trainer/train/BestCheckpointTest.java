package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.Goal;
import io.beamtrain.checkpointing.retention.BestN;
import io.beamtrain.checkpointing.retention.PreservationContext;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult.Evaluation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BestCheckpointTest {
  private static final MetricSpec ACCURACY = new MetricSpec(MetricSpec.EVAL_ACCURACY, Goal.MAXIMIZE);

  private static Evaluation eval(long step, double accuracy) {
    return new Evaluation(step, Map.of(MetricSpec.EVAL_ACCURACY, accuracy));
  }

  @Test
  void onlyAStrictImprovementNeedsACheckpointAndATieTakesTheLaterStepAsKeepBestDoes() {
    BestCheckpoint best = new BestCheckpoint(ACCURACY);
    assertTrue(best.improvesOn(0.5), "the first evaluation is always a new best");
    assertFalse(best.improvesOn(Double.NaN));
    List<Checkpoint> saved = new ArrayList<>();
    for (Evaluation e : List.of(eval(10, 0.9), eval(100, 0.9), eval(150, 0.95), eval(200, 0.95), eval(300, 0.8))) {
      best.checkpointed(e);
      saved.add(new Checkpoint(e.step(), "/t/model.ckpt-" + e.step(), Instant.EPOCH, e.metrics()));
    }
    assertFalse(best.improvesOn(0.95));
    assertTrue(best.improvesOn(0.96));
    assertEquals(200, best.best().orElseThrow().step());
    // The checkpoint retention keeps is the same one.
    Map<Long, String> kept = new BestN(1, MetricSpec.EVAL_ACCURACY, Goal.MAXIMIZE)
        .preserve(saved, new PreservationContext(Instant.EPOCH, Instant.EPOCH));
    assertEquals(List.of(200L), List.copyOf(kept.keySet()));
  }

  @Test
  void aCheckpointCarriesItsSidecarMetricsAndTheHistoryOnlyForTheirOrder() {
    Evaluation inHistory = new Evaluation(100, Map.of("eval_loss", 0.2, MetricSpec.EVAL_ACCURACY, 0.9));
    Checkpoint same = new Checkpoint(100, "/t/model.ckpt-100", Instant.EPOCH, Map.of(MetricSpec.EVAL_ACCURACY, 0.9, "eval_loss", 0.2));
    Checkpoint other = new Checkpoint(100, "/t/model.ckpt-100", Instant.EPOCH, Map.of(MetricSpec.EVAL_ACCURACY, 0.7));
    Checkpoint noSidecar = new Checkpoint(100, "/t/model.ckpt-100", Instant.EPOCH, Map.of());
    assertEquals(inHistory, BestCheckpoint.of(same, List.of(inHistory)));
    assertEquals(other.metrics(), BestCheckpoint.of(other, List.of(inHistory)).metrics());
    assertEquals(inHistory, BestCheckpoint.of(noSidecar, List.of(inHistory)));
  }
}
