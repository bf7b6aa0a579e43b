package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One trial of a study, before it runs: its deterministic id ({@code trial-0007}), position,
 * hyperparameters (sorted by name, so params.json and results are byte-stable) and seed.
 */
public record Trial(String id, int index, SortedMap<String, Object> params, long seed)
    implements Serializable {

  public Trial {
    Objects.requireNonNull(id, "id");
    params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
  }

  /** The id of the trial at {@code index}: {@code trial-0000}, {@code trial-0001}, ... */
  public static String idOf(int index) {
    return String.format("trial-%04d", index);
  }

  /** The index in an id made by {@link #idOf}; -1 for any other id. */
  public static int indexOf(String id) {
    if (id.startsWith("trial-")) {
      try {
        return Integer.parseInt(id.substring("trial-".length()));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }
}
