package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.ConditionalSpace;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.ParameterType;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.TrialSeeds;
import io.beamtrain.pipelines.sweep.ParetoOrder;
import io.beamtrain.trainer.TrialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * NSGA-II (Deb et al. 2002) in batched rounds, the generations of a population of {@code
 * roundSize}: round 0 is the first {@code roundSize} points of the study's quasi-random (Sobol)
 * sequence; round {@code k} takes the best {@code roundSize} of every earlier trial by {@link
 * ParetoOrder} (elitist selection over parents and offspring together: non-dominated rank, then
 * crowding distance, feasible trials first by Deb's constrained domination) as the parents and
 * breeds {@code roundSize} children (fewer in the last round, to stop at {@code maxTrials}).
 *
 * <p>A child takes two parents, each the better of two drawn at random (binary tournament by
 * that order). A range parameter (DOUBLE, INTEGER) is crossed in the unit interval its scale maps
 * to -- simulated binary crossover for half of them, the other half copied from either parent --
 * then mutated with probability {@code 1 / parameters} by polynomial mutation: NSGA-II's own
 * real-coded operators, which make small moves near good parents (what a learning rate needs to
 * be refined rather than redrawn). A list parameter (DISCRETE, CATEGORICAL) comes from either
 * parent (uniform crossover) and is redrawn from its prior with probability {@code 1 /
 * parameters}, as in Optuna's {@code NSGAIISampler}. In a conditional space a parameter only one
 * parent has is inherited from it (crossed with itself), one neither has is drawn from its prior,
 * and the child's inactive parameters are then dropped ({@link ConditionalSpace#prune}). A child equal to a trial already run or proposed is mutated again (up to a bound), so
 * rounds do not spend budget on duplicates. Child {@code i} draws from its own stream {@link
 * TrialSeeds#forSearch}(seed, i): a round is a pure function of the earlier results, in any order.
 */
public record Nsga2Proposer(
    List<ParameterSpec> parameters, Map<String, Object> fixed, StudyObjectives objectives, long seed,
    int roundSize, int maxTrials, List<TrialResult> priors)
    implements RoundProposer {
  private static final int MAX_REDRAWS = 16;
  /** SBX and polynomial mutation distribution indices: NSGA-II's usual 15 and 20 (small moves near the parents). */
  private static final double CROSSOVER_ETA = 15;
  private static final double MUTATION_ETA = 20;

  public Nsga2Proposer {
    parameters = List.copyOf(parameters);
    fixed = new TreeMap<>(fixed);
    Objects.requireNonNull(objectives, "objectives");
    priors = priors == null ? List.of() : List.copyOf(priors);
  }

  public Nsga2Proposer(
      List<ParameterSpec> parameters, Map<String, Object> fixed, StudyObjectives objectives, long seed,
      int roundSize, int maxTrials) {
    this(parameters, fixed, objectives, seed, roundSize, maxTrials, List.of());
  }

  /**
   * The same search warm-started from {@code earlierTrials}: they compete as parents in every
   * round, and round 0 is bred from them instead of quasi-random.
   */
  public Nsga2Proposer withPriors(List<TrialResult> earlierTrials) {
    return new Nsga2Proposer(parameters, fixed, objectives, seed, roundSize, maxTrials, earlierTrials);
  }

  @Override
  public List<Trial> propose(int round, List<TrialResult> earlier) {
    int count = Math.max(0, Math.min(roundSize, maxTrials - round * roundSize));
    List<SortedMap<String, Object>> points = new ArrayList<>();
    if (round == 0 && priors.isEmpty()) {
      points.addAll(Algorithm.QUASI_RANDOM.search().suggest(parameters, count, seed));
    } else if (count > 0) {
      List<TrialResult> known = new ArrayList<>(priors);
      known.addAll(earlier);
      earlier = known;
      List<TrialResult> ranked = new ParetoOrder(objectives).sort(earlier);
      List<TrialResult> parents = ranked.subList(0, Math.min(roundSize, ranked.size()));
      List<SortedMap<String, Object>> seen = new ArrayList<>();
      earlier.forEach(r -> seen.add(searched(r.params())));
      for (int j = 0; j < count; j++) {
        int index = round * roundSize + j;
        SortedMap<String, Object> child = breed(parents, new SplittableRandom(TrialSeeds.forSearch(seed, index)), seen);
        seen.add(child);
        points.add(child);
      }
    }
    List<Trial> trials = new ArrayList<>();
    for (int j = 0; j < points.size(); j++) {
      int index = round * roundSize + j;
      SortedMap<String, Object> params = new TreeMap<>(fixed);
      params.putAll(points.get(j));
      trials.add(new Trial(Trial.idOf(index), index, params, TrialSeeds.forTrial(seed, index)));
    }
    return trials;
  }

  private SortedMap<String, Object> breed(
      List<TrialResult> parents, SplittableRandom random, List<SortedMap<String, Object>> seen) {
    SortedMap<String, Object> a = searched(tournament(parents, random).params());
    SortedMap<String, Object> b = searched(tournament(parents, random).params());
    double rate = 1.0 / Math.max(1, parameters.size());
    SortedMap<String, Object> child = new TreeMap<>();
    for (ParameterSpec p : parameters) {
      Object va = a.get(p.name());
      Object vb = b.get(p.name());
      if (va == null) {
        va = vb;
      } else if (vb == null) {
        vb = va;
      }
      if (va == null) {
        child.put(p.name(), p.fromUnit(random.nextDouble()));
      } else if (p.type().isRange()) {
        double u = random.nextBoolean()
            ? simulatedBinaryCrossover(toUnit(p, va), toUnit(p, vb), random)
            : toUnit(p, random.nextBoolean() ? va : vb);
        if (random.nextDouble() < rate) {
          u = polynomialMutation(u, random);
        }
        child.put(p.name(), p.fromUnit(u));
      } else {
        child.put(p.name(), random.nextDouble() < rate
            ? p.fromUnit(random.nextDouble())
            : random.nextBoolean() ? va : vb);
      }
    }
    // The full child keeps a value for every parameter, so a redraw that activates a branch
    // (optimizer to sgd) finds its parameters (momentum) there; the trial gets the active ones.
    ConditionalSpace space = ConditionalSpace.of(parameters);
    SortedMap<String, Object> active = space.prune(child);
    for (int redraw = 0; redraw < MAX_REDRAWS && seen.contains(active) && !parameters.isEmpty(); redraw++) {
      ParameterSpec p = parameters.get(random.nextInt(parameters.size()));
      child.put(p.name(), p.fromUnit(random.nextDouble()));
      active = space.prune(child);
    }
    return active;
  }

  /** One child of SBX (Deb and Agrawal 1995) of two points of the unit interval. */
  static double simulatedBinaryCrossover(double x1, double x2, SplittableRandom random) {
    double u = random.nextDouble();
    double beta = u <= 0.5
        ? Math.pow(2 * u, 1 / (CROSSOVER_ETA + 1))
        : Math.pow(1 / (2 * (1 - u)), 1 / (CROSSOVER_ETA + 1));
    double sign = random.nextBoolean() ? 1 : -1;
    double child = 0.5 * ((x1 + x2) + sign * beta * (x1 - x2));
    return Math.min(Math.max(child, 0), 1);
  }

  /** Deb's polynomial mutation of a point of the unit interval: mostly small moves, some large. */
  static double polynomialMutation(double x, SplittableRandom random) {
    double u = random.nextDouble();
    double delta = u < 0.5
        ? Math.pow(2 * u, 1 / (MUTATION_ETA + 1)) - 1
        : 1 - Math.pow(2 * (1 - u), 1 / (MUTATION_ETA + 1));
    return Math.min(Math.max(x + delta, 0), 1);
  }

  /** The point of the unit interval that {@link ParameterSpec#fromUnit} maps to {@code value} (a bucket's middle for integers). */
  static double toUnit(ParameterSpec p, Object value) {
    double v = ((Number) value).doubleValue();
    double min = p.min();
    double max = p.max();
    if (p.type() == ParameterType.INTEGER) {
      double lo = Math.round(min);
      double hi = Math.round(max);
      return p.scale() == io.beamtrain.pipelines.study.Scale.LOG
          ? (Math.log(v + 0.5) - Math.log(lo)) / (Math.log(hi + 1.0) - Math.log(lo))
          : (v - lo + 0.5) / (hi - lo + 1.0);
    }
    if (max <= min) {
      return 0.5;
    }
    return p.scale() == io.beamtrain.pipelines.study.Scale.LOG
        ? (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min))
        : (v - min) / (max - min);
  }

  /** The better by {@link ParetoOrder} (earlier in {@code parents}) of two drawn at random. */
  private static TrialResult tournament(List<TrialResult> parents, SplittableRandom random) {
    int i = random.nextInt(parents.size());
    int j = random.nextInt(parents.size());
    return parents.get(Math.min(i, j));
  }

  /**
   * The searched parameters of a trial's params, each as the study's own value (a params.json
   * number comes back as Integer or Double; a child must hold exactly what a fresh draw would, so
   * a re-run proposes an equal trial).
   */
  private SortedMap<String, Object> searched(Map<String, Object> params) {
    SortedMap<String, Object> out = new TreeMap<>();
    for (ParameterSpec p : parameters) {
      Object value = canonical(p, params.get(p.name()));
      if (value != null) {
        out.put(p.name(), value);
      }
    }
    return out;
  }

  private static Object canonical(ParameterSpec p, Object value) {
    if (value == null) {
      return null;
    }
    if (p.type() == ParameterType.DOUBLE && value instanceof Number n) {
      return n.doubleValue();
    }
    if (p.type() == ParameterType.INTEGER && value instanceof Number n) {
      return (int) Math.round(n.doubleValue());
    }
    if (p.type() == ParameterType.DISCRETE || p.type() == ParameterType.CATEGORICAL) {
      for (Object v : p.values()) {
        if (v.equals(value) || v.toString().equals(value.toString())
            || (v instanceof Number x && value instanceof Number y && x.doubleValue() == y.doubleValue())) {
          return v;
        }
      }
    }
    return value;
  }
}
