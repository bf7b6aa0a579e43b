package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.ConditionalSpace;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.ParameterType;
import io.beamtrain.pipelines.study.PbtSettings;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PBT's explore step: each mutable hyperparameter of a donor's values is, with probability {@code
 * resampleProbability}, drawn afresh from its range (as random search draws it), or else
 * multiplied by one of {@code factors} and kept within its bounds (an INTEGER rounded; a DISCRETE or
 * CATEGORICAL value moves to the next value in the list for a factor above 1, the previous one
 * otherwise, as Ray Tune does). The other hyperparameters are the donor's. In a conditional space
 * a parameter inactive under the result's values is dropped ({@link ConditionalSpace#prune}):
 * momentum does not appear because a member without it was explored. Deterministic for a given
 * random stream. Immutable.
 */
final class PbtExplore implements Serializable {
  private final List<ParameterSpec> mutable;
  private final ConditionalSpace space;
  private final double resampleProbability;
  private final List<Double> factors;

  PbtExplore(List<ParameterSpec> parameters, PbtSettings settings) {
    this.mutable = parameters.stream().filter(p -> settings.mutable().contains(p.name())).toList();
    this.resampleProbability = settings.resampleProbability();
    this.factors = settings.factors();
    this.space = ConditionalSpace.of(parameters);
  }

  /** The donor's values with the mutable ones perturbed. */
  Map<String, Object> perturb(Map<String, Object> donor, SplittableRandom random) {
    Map<String, Object> values = new LinkedHashMap<>(donor);
    for (ParameterSpec p : mutable) {
      // Both draws are taken every time, so one parameter's branch does not shift the next one's stream.
      double u = random.nextDouble();
      double resample = random.nextDouble();
      double factor = factors.get(random.nextInt(factors.size()));
      Object current = donor.get(p.name());
      values.put(p.name(), resample < resampleProbability || current == null ? p.fromUnit(u) : scaled(p, current, factor));
    }
    if (!space.isConditional()) {
      return values;
    }
    return new LinkedHashMap<>(space.prune(values));
  }

  private static Object scaled(ParameterSpec p, Object current, double factor) {
    if (p.type() == ParameterType.DISCRETE || p.type() == ParameterType.CATEGORICAL) {
      int index = indexOf(p.values(), current);
      if (index < 0) {
        return current;
      }
      int next = factor > 1 ? Math.min(index + 1, p.values().size() - 1) : factor < 1 ? Math.max(index - 1, 0) : index;
      return p.values().get(next);
    }
    double value = ((Number) current).doubleValue() * factor;
    value = Math.min(p.max(), Math.max(p.min(), value));
    return p.type() == ParameterType.INTEGER ? (Object) (int) Math.round(value) : (Object) value;
  }

  private static int indexOf(List<Object> values, Object current) {
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      if (v.equals(current) || (v instanceof Number a && current instanceof Number b && a.doubleValue() == b.doubleValue())
          || String.valueOf(v).equals(String.valueOf(current))) {
        return i;
      }
    }
    return -1;
  }
}
