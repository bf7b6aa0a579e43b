package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.ParameterType;
import io.beamtrain.pipelines.study.Scale;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The Tree-structured Parzen Estimator of Bergstra et al. ("Algorithms for hyper-parameter
 * optimization", NeurIPS 2011), as hyperopt's {@code tpe.suggest} uses it: the observations are
 * split into the best {@code gamma} fraction ("good", density l(x)) and the rest plus failed trials
 * ("bad", g(x)). Parameters are modelled independently. DOUBLE and INTEGER parameters live on the
 * unit interval of {@link ParameterSpec#fromUnit} (so LOG scale is modelled in log space), each
 * group as a mixture of Gaussians at its observations plus a wide prior component; a proposal
 * draws {@value #CANDIDATES} candidates from l and keeps the one with the largest l(x)/g(x) over
 * these parameters. DISCRETE and CATEGORICAL parameters are category frequencies smoothed with the
 * prior: {@value #PRIOR_WEIGHT} pseudo-count per value in each group, as hyperopt adds {@code
 * prior_weight} to the counts; so a value seen in no good trial keeps a share of l.
 *
 * <p>List parameters are not chosen by that argmax: whatever the smoothing, the argmax picks the
 * value with the largest l/g every time, and a value that was only drawn beside bad settings of
 * other parameters in the first round (an unlucky category) would never be tried again. Each list
 * parameter's value is drawn instead with probability proportional to TPE's expected improvement
 * of that value, {@code 1 / (gamma + (1 - gamma) g / l)} (Bergstra et al., eq. 4): probability
 * matching, which proposes the values the good trials favour most often and the others in
 * proportion to their evidence.
 *
 * <p>Deterministic: proposal {@code j} uses only its own random stream, {@code seeds[j]}, and the
 * observations sorted by trial id. Immutable and thread-safe.
 */
public final class TreeParzenEstimator {
  /** Fraction of observations that count as good (hyperopt's default is 0.25). */
  public static final double GAMMA = 0.25;
  /** Candidates drawn from l(x) per proposal (hyperopt's {@code n_EI_candidates}). */
  public static final int CANDIDATES = 24;
  /** Pseudo-count added to every value of a list parameter in both groups (hyperopt's {@code prior_weight}). */
  public static final double PRIOR_WEIGHT = 1.0;
  private static final double PRIOR_SIGMA = 1.0;
  private static final double MIN_SIGMA = 0.02;

  private final List<ParameterSpec> parameters;
  private final List<Dimension> good = new ArrayList<>();
  private final List<Dimension> bad = new ArrayList<>();

  private TreeParzenEstimator(List<ParameterSpec> parameters, List<Observation> goodObs, List<Observation> badObs) {
    this.parameters = List.copyOf(parameters);
    for (ParameterSpec p : parameters) {
      good.add(Dimension.fit(p, goodObs));
      bad.add(Dimension.fit(p, badObs));
    }
  }

  /** Fits l and g to {@code observations} (any order). */
  public static TreeParzenEstimator fit(List<ParameterSpec> parameters, List<Observation> observations, Goal goal) {
    List<Observation> finite = new ArrayList<>();
    List<Observation> failed = new ArrayList<>();
    for (Observation o : observations) {
      (Double.isFinite(o.value()) ? finite : failed).add(o);
    }
    Comparator<Observation> best = Comparator.comparingDouble(Observation::value);
    if (goal == Goal.MAXIMIZE) {
      best = best.reversed();
    }
    finite.sort(best.thenComparing(Observation::trial));
    int nGood = finite.isEmpty() ? 0 : Math.max(1, (int) Math.ceil(GAMMA * finite.size()));
    List<Observation> badObs = new ArrayList<>(finite.subList(nGood, finite.size()));
    badObs.addAll(failed);
    badObs.sort(Comparator.comparing(Observation::trial));
    return new TreeParzenEstimator(parameters, finite.subList(0, nGood), badObs);
  }

  /** One proposal from the random stream {@code seed}: parameter name to value. */
  public SortedMap<String, Object> propose(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] bestPoint = new double[parameters.size()];
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < CANDIDATES; c++) {
      double[] point = new double[parameters.size()];
      double score = 0;
      for (int d = 0; d < point.length; d++) {
        if (good.get(d) instanceof Categories) {
          continue;
        }
        point[d] = good.get(d).sample(random);
        score += Math.log(good.get(d).density(point[d])) - Math.log(bad.get(d).density(point[d]));
      }
      if (score > bestScore) {
        bestScore = score;
        bestPoint = point;
      }
    }
    SortedMap<String, Object> params = new TreeMap<>();
    for (int d = 0; d < parameters.size(); d++) {
      if (good.get(d) instanceof Categories values) {
        bestPoint[d] = values.sampleByImprovement((Categories) bad.get(d), random);
      }
      params.put(parameters.get(d).name(), good.get(d).decode(bestPoint[d]));
    }
    return params;
  }

  /** The log of l(x)/g(x) at {@code params}: how much more the good trials favour it. */
  public double score(java.util.Map<String, Object> params) {
    double score = 0;
    for (int d = 0; d < parameters.size(); d++) {
      double x = good.get(d).encode(params.get(parameters.get(d).name()));
      score += Math.log(good.get(d).density(x)) - Math.log(bad.get(d).density(x));
    }
    return score;
  }

  /** The model of one parameter in one group: a Parzen window or smoothed frequencies. */
  private abstract static class Dimension {
    final ParameterSpec spec;

    Dimension(ParameterSpec spec) {
      this.spec = spec;
    }

    static Dimension fit(ParameterSpec spec, List<Observation> observations) {
      List<Double> points = new ArrayList<>();
      Dimension dimension = spec.type().isRange() ? new Parzen(spec) : new Categories(spec);
      for (Observation o : observations) {
        Object value = o.params().get(spec.name());
        if (value != null) {
          points.add(dimension.encode(value));
        }
      }
      dimension.fitPoints(points);
      return dimension;
    }

    abstract double encode(Object value);

    abstract Object decode(double x);

    abstract void fitPoints(List<Double> points);

    abstract double sample(SplittableRandom random);

    abstract double density(double x);
  }

  /** A mixture of Gaussians on [0, 1]: one per point (Scott's bandwidth) plus a wide prior. */
  private static final class Parzen extends Dimension {
    private double[] means = new double[0];
    private double sigma;

    Parzen(ParameterSpec spec) {
      super(spec);
    }

    @Override
    double encode(Object value) {
      double v = ((Number) value).doubleValue();
      double lo = spec.min();
      double hi = spec.max();
      boolean log = spec.scale() == Scale.LOG;
      double u;
      if (spec.type() == ParameterType.INTEGER) {
        // Centre of the integer's bucket in ParameterSpec.fromUnit's mapping.
        u = log
            ? (Math.log(v + 0.5) - Math.log(lo)) / (Math.log(hi + 1.0) - Math.log(lo))
            : (v - lo + 0.5) / (hi - lo + 1.0);
      } else if (hi == lo) {
        u = 0.5;
      } else {
        u = log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
      }
      return Math.min(1.0, Math.max(0.0, u));
    }

    @Override
    Object decode(double x) {
      return spec.fromUnit(x);
    }

    @Override
    void fitPoints(List<Double> points) {
      means = points.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      if (means.length < 2) {
        sigma = 0.25;
        return;
      }
      double mean = 0;
      for (double m : means) {
        mean += m;
      }
      mean /= means.length;
      double var = 0;
      for (double m : means) {
        var += (m - mean) * (m - mean);
      }
      double std = Math.sqrt(var / (means.length - 1));
      sigma = Math.min(0.5, Math.max(MIN_SIGMA, 1.06 * std * Math.pow(means.length, -0.2)));
    }

    @Override
    double sample(SplittableRandom random) {
      int k = random.nextInt(means.length + 1);
      double mu = k == means.length ? 0.5 : means[k];
      double s = k == means.length ? PRIOR_SIGMA : sigma;
      for (int attempt = 0; attempt < 32; attempt++) {
        double x = mu + s * gaussian(random);
        if (x >= 0 && x <= 1) {
          return x;
        }
      }
      return random.nextDouble();
    }

    @Override
    double density(double x) {
      double total = normal(x, 0.5, PRIOR_SIGMA);
      for (double mu : means) {
        total += normal(x, mu, sigma);
      }
      return total / (means.length + 1);
    }

    private static double normal(double x, double mu, double s) {
      double z = (x - mu) / s;
      return Math.exp(-0.5 * z * z) / (s * Math.sqrt(2 * Math.PI));
    }

    /** Box-Muller, so the stream (not a JDK version's nextGaussian) defines the draw. */
    private static double gaussian(SplittableRandom random) {
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }

  /** Category frequencies with {@link #PRIOR_WEIGHT} pseudo-counts per value. */
  private static final class Categories extends Dimension {
    private double[] weights;

    Categories(ParameterSpec spec) {
      super(spec);
    }

    @Override
    double encode(Object value) {
      List<Object> values = spec.values();
      for (int k = 0; k < values.size(); k++) {
        Object candidate = values.get(k);
        boolean same = candidate instanceof Number n && value instanceof Number v
            ? n.doubleValue() == v.doubleValue()
            : candidate.equals(value);
        if (same) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "parameter '" + spec.name() + "': value " + value + " is not one of " + values);
    }

    @Override
    Object decode(double x) {
      return spec.values().get((int) x);
    }

    @Override
    void fitPoints(List<Double> points) {
      weights = new double[spec.values().size()];
      java.util.Arrays.fill(weights, PRIOR_WEIGHT);
      for (double p : points) {
        weights[(int) p] += 1.0;
      }
      double total = 0;
      for (double w : weights) {
        total += w;
      }
      for (int k = 0; k < weights.length; k++) {
        weights[k] /= total;
      }
    }

    @Override
    double sample(SplittableRandom random) {
      double u = random.nextDouble();
      for (int k = 0; k < weights.length - 1; k++) {
        u -= weights[k];
        if (u < 0) {
          return k;
        }
      }
      return weights.length - 1;
    }

    @Override
    double density(double x) {
      return weights[(int) x];
    }

    /** A value drawn with probability proportional to its expected improvement, this being l and {@code bad} g. */
    double sampleByImprovement(Categories bad, SplittableRandom random) {
      double[] improvement = new double[weights.length];
      double total = 0;
      for (int k = 0; k < weights.length; k++) {
        improvement[k] = weights[k] / bad.weights[k];
        total += improvement[k];
      }
      double u = random.nextDouble() * total;
      for (int k = 0; k < improvement.length - 1; k++) {
        u -= improvement[k];
        if (u < 0) {
          return k;
        }
      }
      return improvement.length - 1;
    }
  }
}
