package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NumericMomentsTest {

  /** Two-pass mean and population stddev: the textbook reference. */
  static double[] twoPass(double[] xs) {
    double sum = 0;
    for (double x : xs) {
      sum += x;
    }
    double mean = sum / xs.length;
    double squares = 0;
    for (double x : xs) {
      squares += (x - mean) * (x - mean);
    }
    return new double[] {mean, Math.sqrt(squares / xs.length)};
  }

  @Test
  void matchesAHandComputation() {
    NumericMoments m = new NumericMoments();
    for (double x : new double[] {1, 2, 4, 8}) {
      m.add(x);
    }
    assertEquals(4, m.count());
    assertEquals(3.75, m.mean(), 1e-12);
    // ((1-3.75)^2 + (2-3.75)^2 + (4-3.75)^2 + (8-3.75)^2) / 4 = 28.75 / 4
    assertEquals(Math.sqrt(7.1875), m.stddev(), 1e-12);
    assertEquals(1, m.min());
    assertEquals(8, m.max());
  }

  @Test
  void mergingChunksInAnyGroupingEqualsOnePass() {
    Random random = new Random(7);
    double[] xs = new double[10_000];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = random.nextGaussian() * 3 + 10;
    }
    NumericMoments whole = new NumericMoments();
    for (double x : xs) {
      whole.add(x);
    }
    NumericMoments merged = new NumericMoments();
    int i = 0;
    while (i < xs.length) {
      int chunk = 1 + random.nextInt(700);
      NumericMoments part = new NumericMoments();
      for (int k = i; k < Math.min(xs.length, i + chunk); k++) {
        part.add(xs[k]);
      }
      merged.merge(part);
      merged.merge(new NumericMoments());
      i += chunk;
    }
    assertEquals(whole.count(), merged.count());
    assertEquals(whole.mean(), merged.mean(), 1e-12);
    assertEquals(whole.stddev(), merged.stddev(), 1e-12);
    assertEquals(whole.min(), merged.min());
    assertEquals(whole.max(), merged.max());
    double[] reference = twoPass(xs);
    assertEquals(reference[0], merged.mean(), 1e-12);
    assertEquals(reference[1], merged.stddev(), 1e-12);
  }

  @Test
  void staysAccurateFarFromZeroWhereTheNaiveFormulaCancels() {
    // Values 1e9 + {4, 7, 13, 16}: variance 22.5, but sum(x^2)/n - mean^2 is dominated by
    // rounding at 1e18 and comes out wildly wrong in doubles.
    double[] xs = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
    NumericMoments left = new NumericMoments();
    left.add(xs[0]);
    left.add(xs[1]);
    NumericMoments right = new NumericMoments();
    right.add(xs[2]);
    right.add(xs[3]);
    left.merge(right);
    assertEquals(Math.sqrt(22.5), left.stddev(), 1e-6);
    double naiveSquares = 0;
    double naiveSum = 0;
    for (double x : xs) {
      naiveSquares += x * x;
      naiveSum += x;
    }
    double naiveVariance = naiveSquares / 4 - (naiveSum / 4) * (naiveSum / 4);
    assertEquals(true, Math.abs(naiveVariance - 22.5) > 1, "the naive formula should fail here");
  }

  @Test
  void emptyMomentsReportZeros() {
    NumericMoments m = new NumericMoments();
    assertEquals(0, m.stddev());
    assertEquals(0, m.min());
    assertEquals(0, m.max());
  }
}
