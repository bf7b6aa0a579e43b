package io.beamtrain.pipelines.study;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The tree of a conditional search space: which parameters apply given the values of the others
 * ({@link ParameterSpec#when}). A parameter is active when every parent named in its {@code when}
 * is itself active and holds one of the listed values; an inactive parameter is absent from a
 * trial's params, never a dummy value, so the trainer falls back to its own default and the TPE
 * models it only on the trials where it applied.
 *
 * <p>The samplers draw a value for every parameter as they always did (so an unconditional space
 * samples exactly as before and a sampler's random streams do not shift with the tree) and then
 * {@link #prune} drops the inactive ones. TPE instead works group by group ({@link #groups}), as
 * Optuna's group decomposition does. Immutable and thread-safe.
 */
public final class ConditionalSpace implements Serializable {
  private final List<ParameterSpec> order;

  private ConditionalSpace(List<ParameterSpec> order) {
    this.order = List.copyOf(order);
  }

  /**
   * The space of {@code parameters} (validated: every {@code when} names another search parameter,
   * no cycles; {@link StudyValidator} reports violations by field).
   */
  public static ConditionalSpace of(List<ParameterSpec> parameters) {
    return new ConditionalSpace(topologicalOrder(parameters));
  }

  /** Whether any parameter has a {@code when}. */
  public boolean isConditional() {
    return order.stream().anyMatch(ParameterSpec::isConditional);
  }

  /** The parameters parents first, otherwise in spec order (spec order when nothing is conditional). */
  public List<ParameterSpec> order() {
    return order;
  }

  /**
   * The active subset of {@code values} (searched parameters only; other keys are kept as they
   * are): a parameter whose condition does not hold, or whose parent is itself inactive, is
   * removed.
   */
  public SortedMap<String, Object> prune(Map<String, Object> values) {
    SortedMap<String, Object> out = new TreeMap<>(values);
    for (ParameterSpec p : order) {
      if (!isActive(p, out)) {
        out.remove(p.name());
      }
    }
    return out;
  }

  /** Whether {@code p}'s condition holds for {@code values} (an absent parent never satisfies it). */
  public static boolean isActive(ParameterSpec p, Map<String, Object> values) {
    for (Map.Entry<String, List<Object>> condition : p.when().entrySet()) {
      Object parentValue = values.get(condition.getKey());
      if (parentValue == null || condition.getValue().stream().noneMatch(v -> sameValue(v, parentValue))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The parameters grouped by the condition under which they apply (their own {@code when} and
   * their ancestors'), parents' groups first: the unconditional parameters (if any), then one
   * group per distinct condition. Parameters of one group are present in exactly the same trials, so a joint
   * model over a group is fitted on the trials where it is active (Optuna's group decomposition).
   */
  public List<List<ParameterSpec>> groups() {
    Map<String, List<ParameterSpec>> groups = new LinkedHashMap<>();
    Map<String, String> conditionOf = new TreeMap<>();
    for (ParameterSpec p : order) {
      StringBuilder key = new StringBuilder();
      for (Map.Entry<String, List<Object>> c : p.when().entrySet()) {
        key.append(conditionOf.get(c.getKey())).append('&').append(c.getKey()).append('=').append(c.getValue()).append(';');
      }
      conditionOf.put(p.name(), key.toString());
      groups.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(p);
    }
    return List.copyOf(groups.values());
  }

  /** Equal as study values: numbers by value (a params.json 64 is the spec's 64.0), others by text. */
  public static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    return String.valueOf(a).equals(String.valueOf(b));
  }

  /**
   * Parents before children, otherwise spec order (the smallest spec index whose parents are all
   * placed goes next). A cycle or a parent that is not a parameter leaves the rest in spec order:
   * {@link StudyValidator} has refused such a spec before any sampler sees it.
   */
  private static List<ParameterSpec> topologicalOrder(List<ParameterSpec> parameters) {
    List<ParameterSpec> out = new ArrayList<>();
    List<ParameterSpec> rest = new ArrayList<>(parameters);
    java.util.Set<String> names = new java.util.HashSet<>();
    parameters.forEach(p -> names.add(p.name()));
    java.util.Set<String> placed = new java.util.HashSet<>();
    while (!rest.isEmpty()) {
      ParameterSpec next = null;
      for (ParameterSpec p : rest) {
        if (p.when().keySet().stream().allMatch(parent -> placed.contains(parent) || !names.contains(parent))) {
          next = p;
          break;
        }
      }
      if (next == null) {
        out.addAll(rest);
        break;
      }
      rest.remove(next);
      placed.add(next.name());
      out.add(next);
    }
    return out;
  }

  /**
   * The first cycle of {@code when} references, as the names along it ({@code [a, b, a]}), or an
   * empty list.
   */
  static List<String> cycle(List<ParameterSpec> parameters) {
    Map<String, ParameterSpec> byName = new LinkedHashMap<>();
    parameters.forEach(p -> byName.put(p.name(), p));
    for (ParameterSpec start : parameters) {
      List<String> path = new ArrayList<>();
      List<String> found = walk(start.name(), byName, path);
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  private static List<String> walk(String name, Map<String, ParameterSpec> byName, List<String> path) {
    int seen = path.indexOf(name);
    if (seen >= 0) {
      List<String> loop = new ArrayList<>(path.subList(seen, path.size()));
      loop.add(name);
      return loop;
    }
    ParameterSpec p = byName.get(name);
    if (p == null) {
      return List.of();
    }
    path.add(name);
    for (String parent : p.when().keySet()) {
      List<String> found = walk(parent, byName, path);
      if (!found.isEmpty()) {
        return found;
      }
    }
    path.remove(path.size() - 1);
    return List.of();
  }
}
