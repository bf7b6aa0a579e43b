package io.beamtrain.pipelines.pareto;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The hypervolume indicator: the volume of cost space (every component minimised) that a set of
 * points dominates, up to a reference point. It grows with every point that extends the front,
 * so it scores a multi-objective search with one number. Computed exactly by slicing along the
 * last objective (Hypervolume by Slicing Objectives), which is fine for the tens to hundreds of
 * points of a study. Stateless.
 */
public final class Hypervolume {
  private Hypervolume() {}

  /** The volume {@code points} dominate within the box below {@code reference}. */
  public static double of(List<double[]> points, double[] reference) {
    List<double[]> inside = new ArrayList<>();
    for (double[] p : points) {
      boolean below = true;
      for (int i = 0; i < reference.length; i++) {
        below &= p[i] < reference[i];
      }
      if (below) {
        inside.add(p);
      }
    }
    return slice(inside, reference, reference.length);
  }

  private static double slice(List<double[]> points, double[] reference, int dims) {
    if (points.isEmpty()) {
      return 0;
    }
    int last = dims - 1;
    if (dims == 1) {
      double best = reference[0];
      for (double[] p : points) {
        best = Math.min(best, p[0]);
      }
      return reference[0] - best;
    }
    List<double[]> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(p -> p[last]));
    double volume = 0;
    List<double[]> below = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      below.add(sorted.get(i));
      double top = i + 1 < sorted.size() ? sorted.get(i + 1)[last] : reference[last];
      double height = top - sorted.get(i)[last];
      if (height > 0) {
        volume += height * slice(below, reference, last);
      }
    }
    return volume;
  }
}
