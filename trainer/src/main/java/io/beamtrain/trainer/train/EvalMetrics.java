package io.beamtrain.trainer.train;

import io.beamtrain.trainer.MetricSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates an evaluation pass chunk by chunk and computes its metrics: {@code eval_loss} (mean
 * per-example loss, without L2), then {@code eval_accuracy} and, for two classes, {@code eval_auc}
 * (classification) or {@code eval_rmse} and {@code eval_mae} in target units (regression).
 *
 * <p>Sums are kept in double precision, so the result does not depend on how the split is
 * chunked beyond float rounding of the inputs. Not thread-safe; one per evaluation.
 */
public final class EvalMetrics {
  private final int numClasses;
  private long count;
  private double lossSum;
  private long correct;
  private double absErrorSum;
  private double squaredErrorSum;
  private float[] scores;
  private boolean[] positives;

  private EvalMetrics(int numClasses) {
    this.numClasses = numClasses;
    if (numClasses == 2) {
      scores = new float[1024];
      positives = new boolean[1024];
    }
  }

  /** For a classification head with {@code numClasses} classes. */
  public static EvalMetrics classification(int numClasses) {
    return new EvalMetrics(numClasses);
  }

  /** For a regression head. */
  public static EvalMetrics regression() {
    return new EvalMetrics(0);
  }

  /**
   * Adds {@code n} classified examples: per-example losses, row-major probabilities {@code [n,
   * K]} and the true class ids.
   */
  public void addClassified(int n, float[] losses, float[] probabilities, int[] classIds) {
    for (int i = 0; i < n; i++) {
      lossSum += losses[i];
      int best = 0;
      int row = i * numClasses;
      for (int k = 1; k < numClasses; k++) {
        if (probabilities[row + k] > probabilities[row + best]) {
          best = k;
        }
      }
      if (best == classIds[i]) {
        correct++;
      }
      if (scores != null) {
        int at = (int) count + i;
        if (at == scores.length) {
          scores = Arrays.copyOf(scores, at * 2);
          positives = Arrays.copyOf(positives, at * 2);
        }
        scores[at] = probabilities[row + 1];
        positives[at] = classIds[i] == 1;
      }
    }
    count += n;
  }

  /** Adds {@code n} regression examples: per-example losses, predictions and true targets. */
  public void addRegressed(int n, float[] losses, float[] predictions, float[] targets) {
    for (int i = 0; i < n; i++) {
      lossSum += losses[i];
      double error = (double) predictions[i] - targets[i];
      absErrorSum += Math.abs(error);
      squaredErrorSum += error * error;
    }
    count += n;
  }

  /** The metrics of everything added, in a fixed order; empty before anything was added. */
  public Map<String, Double> result() {
    Map<String, Double> out = new LinkedHashMap<>();
    if (count == 0) {
      return out;
    }
    out.put(MetricSpec.EVAL_LOSS, lossSum / count);
    if (numClasses > 0) {
      out.put(MetricSpec.EVAL_ACCURACY, (double) correct / count);
      if (numClasses == 2) {
        out.put(MetricSpec.EVAL_AUC, auc(Arrays.copyOf(scores, (int) count), Arrays.copyOf(positives, (int) count)));
      }
    } else {
      out.put(MetricSpec.EVAL_RMSE, Math.sqrt(squaredErrorSum / count));
      out.put(MetricSpec.EVAL_MAE, absErrorSum / count);
    }
    return out;
  }

  /**
   * Exact area under the ROC curve: the probability that a random positive scores above a random
   * negative, ties counting one half (Mann-Whitney U with mid-ranks). NaN when one class is
   * absent, as the curve is then undefined; NaN scores (a diverged model) give NaN.
   */
  public static double auc(float[] scores, boolean[] positive) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      if (Float.isNaN(scores[i])) {
        return Double.NaN;
      }
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
    double positiveRankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1; // ranks are 1-based
      for (int k = i; k <= j; k++) {
        if (positive[order[k]]) {
          positiveRankSum += midRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
