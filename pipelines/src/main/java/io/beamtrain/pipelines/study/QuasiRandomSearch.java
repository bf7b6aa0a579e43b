package io.beamtrain.pipelines.study;

import io.beamtrain.trainer.data.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.math3.random.SobolSequenceGenerator;

/**
 * Quasi-random search over a Sobol sequence (Joe-Kuo direction numbers, from commons-math3), one
 * dimension per parameter, randomised by a digital shift: each coordinate's 52 fraction bits are
 * XORed with a mask drawn from the study seed. The shift keeps the sequence's low discrepancy (the
 * points still stratify every dyadic box) while different seeds give different point sets, as
 * Vizier's scrambled quasi-random designer does. Bergstra and Bengio (JMLR 2012) show such
 * sequences beat plain random search for small trial budgets. In a conditional space the
 * inactive coordinates of a point are dropped ({@link ConditionalSpace#prune}); each parameter
 * keeps its own dimension, so its values stay evenly spread over the trials where it applies.
 */
final class QuasiRandomSearch implements SearchAlgorithm {
  private static final int FRACTION_BITS = 52;
  private static final double SCALE = 0x1.0p52;

  @Override
  public List<SortedMap<String, Object>> suggest(
      List<ParameterSpec> parameters, Integer maxTrials, long seed) {
    int count = SearchAlgorithm.trialCount(maxTrials);
    List<SortedMap<String, Object>> trials = new ArrayList<>(count);
    if (parameters.isEmpty()) {
      for (int i = 0; i < count; i++) {
        trials.add(new TreeMap<>());
      }
      return trials;
    }
    long[] shifts = digitalShifts(parameters.size(), seed);
    SobolSequenceGenerator sobol = new SobolSequenceGenerator(parameters.size());
    ConditionalSpace space = ConditionalSpace.of(parameters);
    for (int i = 0; i < count; i++) {
      double[] point = sobol.nextVector();
      SortedMap<String, Object> params = new TreeMap<>();
      for (int d = 0; d < parameters.size(); d++) {
        long bits = (long) (point[d] * SCALE) ^ shifts[d];
        params.put(parameters.get(d).name(), parameters.get(d).fromUnit(bits / SCALE));
      }
      trials.add(space.prune(params));
    }
    return trials;
  }

  private static long[] digitalShifts(int dimensions, long seed) {
    SplittableRandom random = new SplittableRandom(Seeds.finish(seed ^ Seeds.QUASI_RANDOM_SHIFT_SALT));
    long[] shifts = new long[dimensions];
    for (int d = 0; d < dimensions; d++) {
      shifts[d] = random.nextLong() >>> (Long.SIZE - FRACTION_BITS);
    }
    return shifts;
  }
}
