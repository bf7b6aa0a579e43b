package io.beamtrain.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.trainer.MetricSpec;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EvalMetricsTest {

  @Test
  void aucIsTheProbabilityAPositiveOutscoresANegative() {
    assertEquals(1.0, EvalMetrics.auc(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, new boolean[] {false, false, true, true}));
    assertEquals(0.0, EvalMetrics.auc(new float[] {0.9f, 0.1f}, new boolean[] {false, true}));
    // Ties count one half: of the 4 positive-negative pairs, 3 are won and 1 tied.
    assertEquals(0.875, EvalMetrics.auc(new float[] {0.5f, 0.5f, 0.9f, 0.1f}, new boolean[] {true, false, true, false}), 1e-12);
    assertTrue(Double.isNaN(EvalMetrics.auc(new float[] {0.5f, 0.7f}, new boolean[] {true, true})));
  }

  @Test
  void aucMatchesThePairCountOnRandomScores() {
    SplittableRandom random = new SplittableRandom(3);
    int n = 500;
    float[] scores = new float[n];
    boolean[] positive = new boolean[n];
    for (int i = 0; i < n; i++) {
      positive[i] = random.nextBoolean();
      scores[i] = Math.round((random.nextDouble() + (positive[i] ? 0.3 : 0)) * 20) / 20f;
    }
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (positive[i] && !positive[j]) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
        }
      }
    }
    assertEquals(wins / pairs, EvalMetrics.auc(scores, positive), 1e-12);
  }

  @Test
  void classificationAndRegressionMetricsAccumulateOverChunks() {
    EvalMetrics binary = EvalMetrics.classification(2);
    binary.addClassified(2, new float[] {1, 2}, new float[] {0.9f, 0.1f, 0.3f, 0.7f}, new int[] {0, 0});
    binary.addClassified(1, new float[] {3}, new float[] {0.2f, 0.8f}, new int[] {1});
    Map<String, Double> b = binary.result();
    assertEquals(2.0, b.get(MetricSpec.EVAL_LOSS), 1e-12);
    assertEquals(2.0 / 3, b.get(MetricSpec.EVAL_ACCURACY), 1e-12);
    assertEquals(1.0, b.get(MetricSpec.EVAL_AUC), 1e-12);

    EvalMetrics regression = EvalMetrics.regression();
    regression.addRegressed(2, new float[] {1, 1}, new float[] {1, 2}, new float[] {0, 2});
    regression.addRegressed(1, new float[] {4}, new float[] {5}, new float[] {3});
    Map<String, Double> r = regression.result();
    assertEquals(2.0, r.get(MetricSpec.EVAL_LOSS), 1e-12);
    assertEquals(Math.sqrt(5.0 / 3), r.get(MetricSpec.EVAL_RMSE), 1e-12);
    assertEquals(1.0, r.get(MetricSpec.EVAL_MAE), 1e-12);
    assertEquals(java.util.List.of("eval_loss", "eval_rmse", "eval_mae"), java.util.List.copyOf(r.keySet()));
  }
}
