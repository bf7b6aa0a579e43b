package io.beamtrain.pipelines.report;

import java.util.List;

/**
 * What a report shows beyond its own sweep, and whether it is live. Immutable.
 *
 * @param compared other sweeps of the same data whose optimisation history is drawn beside this
 *     one's ({@code report --compare})
 * @param refreshSeconds how often the open page reloads itself while the sweep runs ({@code report
 *     --watch}); 0 for a page that never reloads
 */
public record PageOptions(List<SweepSnapshot> compared, int refreshSeconds) {
  /** A page of one sweep that does not reload. */
  public static final PageOptions STATIC = new PageOptions(List.of(), 0);

  public PageOptions {
    compared = List.copyOf(compared);
    if (refreshSeconds < 0) {
      throw new IllegalArgumentException("refreshSeconds " + refreshSeconds + " < 0");
    }
  }

  /** The same, with the page reloading every {@code seconds} (0: never). */
  public PageOptions refreshingEvery(int seconds) {
    return new PageOptions(compared, seconds);
  }
}
