package io.beamtrain.pipelines.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits the trials' hyperparameters into those that vary between trials (the searched ones: table
 * columns and plot axes) and those every trial shares (the study's fixed ones: one line of text).
 * Names follow the study's order, then their first appearance. Immutable.
 *
 * @param varying names whose value differs between at least two trials (or is missing in some)
 * @param constant names with one value in every trial, with that value
 */
record ParamColumns(List<String> varying, Map<String, Object> constant) {

  ParamColumns {
    varying = List.copyOf(varying);
    constant = Collections.unmodifiableMap(new LinkedHashMap<>(constant));
  }

  /**
   * The columns of {@code trials}: names in {@code preferredOrder} first (the study's parameter
   * order; results files may hold params sorted by name), then the others as they appear.
   */
  static ParamColumns of(List<TrialRecord> trials, Collection<String> preferredOrder) {
    Set<String> present = new HashSet<>();
    trials.forEach(t -> present.addAll(t.params().keySet()));
    Set<String> names = new LinkedHashSet<>();
    preferredOrder.stream().filter(present::contains).forEach(names::add);
    trials.forEach(t -> names.addAll(t.params().keySet()));
    List<String> varying = new ArrayList<>();
    Map<String, Object> constant = new LinkedHashMap<>();
    for (String name : names) {
      Set<String> shown = new HashSet<>();
      boolean missing = false;
      for (TrialRecord trial : trials) {
        Object value = trial.params().get(name);
        missing |= value == null;
        shown.add(Format.value(value));
      }
      if (shown.size() > 1 || missing) {
        varying.add(name);
      } else {
        constant.put(name, trials.get(0).params().get(name));
      }
    }
    return new ParamColumns(varying, constant);
  }

  /** Whether every present value of {@code name} is a number (the column sorts numerically). */
  static boolean isNumeric(List<TrialRecord> trials, String name) {
    return trials.stream()
        .map(t -> t.params().get(name))
        .allMatch(v -> v == null || v instanceof Number);
  }
}
