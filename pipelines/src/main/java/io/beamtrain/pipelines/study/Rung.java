package io.beamtrain.pipelines.study;

import java.io.Serializable;

/**
 * One rung of a successive-halving bracket: {@code trials} trials train up to {@code budget}
 * global steps, then the best {@code promoted} of them go on to the next rung (0 for the last).
 */
public record Rung(int index, int trials, int budget, int promoted) implements Serializable {

  public Rung {
    if (trials < 1 || budget < 1 || promoted < 0 || promoted > trials) {
      throw new IllegalArgumentException(
          "rung " + index + ": trials " + trials + ", budget " + budget + ", promoted " + promoted);
    }
  }

  public boolean isLast() {
    return promoted == 0;
  }
}
