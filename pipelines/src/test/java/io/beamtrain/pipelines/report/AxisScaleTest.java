package io.beamtrain.pipelines.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AxisScaleTest {
  private static List<String> labels(AxisScale scale) {
    return scale.ticks().stream().map(AxisScale.Tick::label).toList();
  }

  @Test
  void linearTicksAreNiceAndCoverTheData() {
    assertEquals(List.of("0", "500", "1000", "1500", "2000"), labels(LinearScale.nice(0, 2000, 6)));
    assertEquals(List.of("0.4", "0.6", "0.8", "1"), labels(LinearScale.nice(0.41, 0.98, 5)));
    assertEquals(List.of("0", "20k", "40k", "60k"), labels(LinearScale.nice(0, 55_000, 4)));
    LinearScale scale = LinearScale.nice(0.41, 0.98, 5);
    assertEquals(0.0, scale.fraction(0.4), 1e-12);
    assertEquals(1.0, scale.fraction(1.0), 1e-12);
    assertTrue(Double.isNaN(scale.fraction((Object) null)));
  }

  @Test
  void learningCurveAxisClipsADivergedTrialsOutliers() {
    List<Double> values = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      values.add(0.2 + 0.006 * i);
    }
    values.add(3.0e6);
    LinearScale clipped = LearningCurvesChart.valueScale(values);
    assertTrue(clipped.max() <= 1.0 && clipped.min() <= 0.2, clipped.toString());
    LinearScale whole = LearningCurvesChart.valueScale(values.subList(0, 100));
    assertEquals(List.of("0.2", "0.4", "0.6", "0.8"), labels(whole));
  }

  @Test
  void singleValueGetsARangeAroundIt() {
    LinearScale scale = LinearScale.nice(5, 5, 5);
    assertTrue(scale.min() < 5 && scale.max() > 5, scale.toString());
    assertEquals(0.5, scale.fraction(5.0), 0.2);
  }

  @Test
  void valuesSpanningDecadesGetALogAxis() {
    AxisScale scale = AxisScale.forValues(List.of(1.2e-4, 3e-3, 0.08));
    assertInstanceOf(LogScale.class, scale);
    assertEquals(List.of("1e-4", "0.001", "0.01", "0.1"), labels(scale));
    assertEquals(0.0, scale.fraction(1e-4), 1e-9);
    assertEquals(1.0 / 3, scale.fraction(1e-3), 1e-9);
    // Two decades or less: ticks at 1, 2 and 5 times the powers of ten.
    assertEquals(List.of("0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"), labels(new LogScale(0.01, 0.9)));
  }

  @Test
  void narrowPositiveRangesStayLinearAndWholeNumbersGetWholeTicks() {
    assertInstanceOf(LinearScale.class, AxisScale.forValues(List.of(32, 64, 128)));
    assertEquals(List.of("1", "2", "3"), labels(AxisScale.forValues(List.of(1, 2, 3))));
    assertInstanceOf(LinearScale.class, AxisScale.forValues(List.of(0.0, 0.5)), "zero: no log axis");
  }

  @Test
  void nonNumbersAreCategoricalInAStableOrder() {
    AxisScale optimizers = AxisScale.forValues(Arrays.asList("sgd", null, "adam", "sgd"));
    assertEquals(List.of("adam", "sgd"), labels(optimizers));
    assertEquals(0.25, optimizers.fraction("adam"), 1e-12);
    assertEquals(0.75, optimizers.fraction("sgd"), 1e-12);
    assertTrue(Double.isNaN(optimizers.fraction("rmsprop")));
    assertTrue(Double.isNaN(optimizers.fraction(null)));
    assertEquals(List.of("false", "true"), labels(AxisScale.forValues(List.of(true, false))));
    assertEquals(List.of("32", "64,32", "wide"), labels(AxisScale.forValues(List.of("wide", 32, List.of(64, 32)))));
    assertEquals(List.of("9", "10"), labels(CategoricalScale.of(List.of("10", "9"))));
  }
}
