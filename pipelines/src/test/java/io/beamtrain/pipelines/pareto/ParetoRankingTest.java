package io.beamtrain.pipelines.pareto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParetoRankingTest {
  private static final List<double[]> POINTS = List.of(
      new double[] {1, 5}, new double[] {2, 3}, new double[] {4, 1}, // front
      new double[] {3, 4}, new double[] {5, 2},                      // second front
      new double[] {6, 6});                                          // third

  @Test
  void ranksByNonDominatedFronts() {
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2}, ParetoRanking.ranks(POINTS));
    assertTrue(ParetoRanking.dominates(new double[] {1, 1}, new double[] {1, 2}));
    assertTrue(!ParetoRanking.dominates(new double[] {1, 1}, new double[] {1, 1}));
  }

  @Test
  void crowdingIsInfiniteAtTheExtremesAndThePerimeterInside() {
    double[] crowding = ParetoRanking.crowding(POINTS, ParetoRanking.ranks(POINTS));
    assertEquals(Double.POSITIVE_INFINITY, crowding[0]);
    assertEquals(Double.POSITIVE_INFINITY, crowding[2]);
    // (4 - 1) / (4 - 1) + (5 - 1) / (5 - 1)
    assertEquals(2.0, crowding[1], 1e-12);
    assertEquals(Double.POSITIVE_INFINITY, crowding[5]);
  }

  @Test
  void hypervolumeIsTheDominatedArea() {
    // Staircase of (1,5), (2,3), (4,1) under (6,6), by columns: x in [1,2): 6-5 = 1; [2,4): 6-3 = 3 each; [4,6): 6-1 = 5 each.
    double expected = 1 * 1 + 2 * 3 + 2 * 5;
    assertEquals(expected, Hypervolume.of(POINTS.subList(0, 3), new double[] {6, 6}), 1e-12);
    // Dominated points and points outside the box add nothing.
    assertEquals(expected, Hypervolume.of(POINTS, new double[] {6, 6}), 1e-12);
    // Three objectives: a unit cube's corner point dominates the whole box.
    assertEquals(8.0, Hypervolume.of(List.of(new double[] {0, 0, 0}, new double[] {1, 1, 1}), new double[] {2, 2, 2}), 1e-12);
    // Two boxes of 2 x 1 x 1 overlapping in a unit cube.
    assertEquals(3.0, Hypervolume.of(List.of(new double[] {0, 1, 1}, new double[] {1, 0, 1}), new double[] {2, 2, 2}), 1e-12);
  }
}
