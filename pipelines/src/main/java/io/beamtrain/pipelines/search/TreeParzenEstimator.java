package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.ParameterType;
import io.beamtrain.pipelines.study.Scale;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.math3.special.Erf;

/**
 * The Tree-structured Parzen Estimator of Bergstra et al. ("Algorithms for hyper-parameter
 * optimization", NeurIPS 2011): the finished trials are split into the best few ("good", density
 * l(x); how many is {@link TpeSettings#goodCount}) and the rest plus failed and pending trials
 * ("bad", g(x)); a proposal draws {@value #CANDIDATES} candidates from l and keeps the one with
 * the largest l(x)/g(x).
 *
 * <p>Each density is a mixture with one component per trial (weight 1) and a prior component
 * (weight {@value #PRIOR_WEIGHT}). DOUBLE and INTEGER parameters live on the unit interval of
 * {@link ParameterSpec#fromUnit} (so LOG scale is modelled in log space): a trial's kernel is a
 * Gaussian truncated to [0, 1] at its point, the prior's is centred with width 1. An INTEGER's
 * density is the kernel's mass over the integer's bucket, so it is a probability over the
 * integers, not a density at one point of a bucket. DISCRETE and CATEGORICAL parameters: a trial's
 * kernel puts weight 1 on its value plus {@code PRIOR_WEIGHT / (n + 1)} on every value, the prior
 * is uniform; so a value seen in no good trial keeps a share of l and can still be proposed.
 *
 * <p>{@link TpeSettings#multivariate} (the default): the mixture is joint, component i being trial
 * i's point in all parameters at once, with one bandwidth per parameter, {@code 0.2 n^(-1/(d+4))}
 * (Scott's rule shape for d dimensions), and candidates are scored on the joint density; the
 * interactions of parameters (the best learning rate depends on the optimizer) are kept.
 * Otherwise each parameter has its own mixture, its kernels as wide as the larger gap to their
 * neighbours, and gets its own argmax. Widths are at least {@code 1 / min(100, n + 2)} of the
 * range, so a cluster of close trials does not collapse to a spike.
 *
 * <p>Deterministic: proposal {@code j} uses only its own random stream, {@code seeds[j]}, and the
 * observations sorted by value and trial id. Immutable and thread-safe.
 */
public final class TreeParzenEstimator {
  /** Candidates drawn from l(x) per proposal (hyperopt's {@code n_EI_candidates}). */
  public static final int CANDIDATES = 24;
  /** Weight of the prior component in each mixture, against 1 per trial. */
  public static final double PRIOR_WEIGHT = 1.0;
  private static final double PRIOR_SIGMA = 1.0;
  private static final double SCOTT_FACTOR = 0.2;

  private final List<ParameterSpec> parameters;
  private final boolean multivariate;
  private final Mixture good;
  private final Mixture bad;

  private TreeParzenEstimator(
      List<ParameterSpec> parameters, List<Observation> goodObs, List<Observation> badObs, boolean multivariate) {
    this.parameters = List.copyOf(parameters);
    this.multivariate = multivariate;
    this.good = new Mixture(parameters, goodObs, multivariate);
    this.bad = new Mixture(parameters, badObs, multivariate);
  }

  /** Fits l and g to {@code observations} (any order) with {@link TpeSettings#DEFAULT}. */
  public static TreeParzenEstimator fit(List<ParameterSpec> parameters, List<Observation> observations, Goal goal) {
    return fit(parameters, observations, List.of(), goal, TpeSettings.DEFAULT);
  }

  /**
   * Fits l and g to {@code observations} (any order); {@code pending} (proposed, not finished:
   * only their parameters count) go into g, a constant liar that steers later proposals elsewhere.
   */
  public static TreeParzenEstimator fit(
      List<ParameterSpec> parameters, List<Observation> observations, List<Map<String, Object>> pending, Goal goal,
      TpeSettings settings) {
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
    int nGood = settings.goodCount(finite.size());
    List<Observation> badObs = new ArrayList<>(finite.subList(nGood, finite.size()));
    badObs.addAll(failed);
    badObs.sort(Comparator.comparing(Observation::trial));
    for (int i = 0; i < pending.size(); i++) {
      badObs.add(new Observation("pending-" + i, pending.get(i), Double.NaN));
    }
    return new TreeParzenEstimator(parameters, finite.subList(0, nGood), badObs, settings.multivariate());
  }

  /** One proposal from the random stream {@code seed}: parameter name to value. */
  public SortedMap<String, Object> propose(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] chosen = new double[parameters.size()];
    if (multivariate) {
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < CANDIDATES; c++) {
        double[] point = good.sampleJoint(random);
        double score = good.logDensity(point) - bad.logDensity(point);
        if (score > bestScore) {
          bestScore = score;
          chosen = point;
        }
      }
    } else {
      for (int d = 0; d < chosen.length; d++) {
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CANDIDATES; c++) {
          double x = good.sampleMarginal(d, random);
          double score = good.logMarginal(d, x) - bad.logMarginal(d, x);
          if (score > bestScore) {
            bestScore = score;
            chosen[d] = x;
          }
        }
      }
    }
    SortedMap<String, Object> params = new TreeMap<>();
    for (int d = 0; d < parameters.size(); d++) {
      params.put(parameters.get(d).name(), good.dimensions.get(d).decode(chosen[d]));
    }
    return params;
  }

  /** The log of l(x)/g(x) at {@code params}: how much more the good trials favour it. */
  public double score(Map<String, Object> params) {
    double[] x = good.encode(params);
    if (multivariate) {
      return good.logDensity(x) - bad.logDensity(x);
    }
    double score = 0;
    for (int d = 0; d < x.length; d++) {
      score += good.logMarginal(d, x[d]) - bad.logMarginal(d, x[d]);
    }
    return score;
  }

  /** One group's density: components 0..n-1 the group's trials, component n the prior. */
  private static final class Mixture {
    final List<Kernels> dimensions = new ArrayList<>();
    final double[] logWeights;
    final double[] weights;

    Mixture(List<ParameterSpec> parameters, List<Observation> observations, boolean multivariate) {
      int n = observations.size();
      weights = new double[n + 1];
      logWeights = new double[n + 1];
      double total = n + PRIOR_WEIGHT;
      for (int i = 0; i <= n; i++) {
        weights[i] = (i < n ? 1.0 : PRIOR_WEIGHT) / total;
        logWeights[i] = Math.log(weights[i]);
      }
      double scott = SCOTT_FACTOR * Math.pow(Math.max(1, n), -1.0 / (parameters.size() + 4));
      for (ParameterSpec p : parameters) {
        Kernels kernels = p.type().isRange() ? new Gaussians(p) : new Frequencies(p);
        double[] points = new double[n];
        for (int i = 0; i < n; i++) {
          Object value = observations.get(i).params().get(p.name());
          points[i] = value == null ? Double.NaN : kernels.encode(value);
        }
        kernels.fit(points, multivariate ? scott : Double.NaN);
        dimensions.add(kernels);
      }
    }

    double[] encode(Map<String, Object> params) {
      double[] x = new double[dimensions.size()];
      for (int d = 0; d < x.length; d++) {
        x[d] = dimensions.get(d).encode(params.get(dimensions.get(d).spec.name()));
      }
      return x;
    }

    int component(SplittableRandom random) {
      double u = random.nextDouble();
      for (int i = 0; i < weights.length - 1; i++) {
        u -= weights[i];
        if (u < 0) {
          return i;
        }
      }
      return weights.length - 1;
    }

    double[] sampleJoint(SplittableRandom random) {
      int i = component(random);
      double[] x = new double[dimensions.size()];
      for (int d = 0; d < x.length; d++) {
        x[d] = dimensions.get(d).canonical(dimensions.get(d).sample(i, random));
      }
      return x;
    }

    double sampleMarginal(int d, SplittableRandom random) {
      return dimensions.get(d).canonical(dimensions.get(d).sample(component(random), random));
    }

    double logDensity(double[] x) {
      double[] terms = new double[weights.length];
      for (int i = 0; i < terms.length; i++) {
        double t = logWeights[i];
        for (int d = 0; d < x.length; d++) {
          t += dimensions.get(d).logKernel(i, x[d]);
        }
        terms[i] = t;
      }
      return logSumExp(terms);
    }

    double logMarginal(int d, double x) {
      double[] terms = new double[weights.length];
      for (int i = 0; i < terms.length; i++) {
        terms[i] = logWeights[i] + dimensions.get(d).logKernel(i, x);
      }
      return logSumExp(terms);
    }

    private static double logSumExp(double[] terms) {
      double max = Double.NEGATIVE_INFINITY;
      for (double t : terms) {
        max = Math.max(max, t);
      }
      if (max == Double.NEGATIVE_INFINITY) {
        return max;
      }
      double sum = 0;
      for (double t : terms) {
        sum += Math.exp(t - max);
      }
      return max + Math.log(sum);
    }
  }

  /** One parameter's kernels in one group: component i for trial i, the last for the prior. */
  private abstract static class Kernels {
    final ParameterSpec spec;

    Kernels(ParameterSpec spec) {
      this.spec = spec;
    }

    abstract double encode(Object value);

    abstract Object decode(double x);

    /** The point that stands for the value {@code x} decodes to (a bucket's centre for an integer). */
    double canonical(double x) {
      return x;
    }

    /** Fits the kernels at {@code points} (NaN: the trial lacks this parameter); {@code scott} NaN = univariate. */
    abstract void fit(double[] points, double scott);

    abstract double sample(int component, SplittableRandom random);

    abstract double logKernel(int component, double x);
  }

  /** Truncated Gaussians on [0, 1]; an INTEGER's kernel is its mass over the integer's bucket. */
  private static final class Gaussians extends Kernels {
    private double[] means;
    private double[] sigmas;
    private double[] logMass;

    Gaussians(ParameterSpec spec) {
      super(spec);
    }

    private boolean integer() {
      return spec.type() == ParameterType.INTEGER;
    }

    /** Where {@code x} (an integer or a bucket edge) sits on the unit interval of fromUnit. */
    private double unit(double x) {
      double lo = spec.min();
      double hi = integer() ? spec.max() + 1.0 : spec.max();
      if (hi == lo) {
        return 0.5;
      }
      return spec.scale() == Scale.LOG
          ? (Math.log(x) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))
          : (x - lo) / (hi - lo);
    }

    @Override
    double encode(Object value) {
      double v = ((Number) value).doubleValue();
      double u = integer() ? 0.5 * (unit(Math.rint(v)) + unit(Math.rint(v) + 1)) : unit(v);
      return Math.min(1.0, Math.max(0.0, u));
    }

    @Override
    Object decode(double x) {
      return spec.fromUnit(x);
    }

    @Override
    double canonical(double x) {
      return integer() ? encode(spec.fromUnit(x)) : x;
    }

    @Override
    void fit(double[] points, double scott) {
      int n = points.length;
      means = new double[n + 1];
      sigmas = new double[n + 1];
      for (int i = 0; i < n; i++) {
        means[i] = Double.isNaN(points[i]) ? 0.5 : points[i];
      }
      means[n] = 0.5;
      double minSigma = 1.0 / Math.min(100.0, n + 2.0);
      if (!Double.isNaN(scott)) {
        java.util.Arrays.fill(sigmas, scott);
      } else {
        neighbourWidths();
      }
      for (int i = 0; i < n; i++) {
        sigmas[i] = Math.min(1.0, Math.max(minSigma, sigmas[i]));
      }
      sigmas[n] = PRIOR_SIGMA;
      logMass = new double[n + 1];
      for (int i = 0; i <= n; i++) {
        logMass[i] = Math.log(cdf(1, i) - cdf(0, i));
      }
    }

    /** Each kernel as wide as the larger gap to its neighbours (the prior's centre among them), the outermost the inner gap. */
    private void neighbourWidths() {
      Integer[] order = new Integer[means.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> means[i]).thenComparing(i -> i));
      int m = order.length;
      for (int r = 0; r < m; r++) {
        double left = r == 0 ? means[order[r]] : means[order[r]] - means[order[r - 1]];
        double right = r == m - 1 ? 1.0 - means[order[r]] : means[order[r + 1]] - means[order[r]];
        double width = Math.max(left, right);
        if (m >= 2 && r == 0) {
          width = right;
        } else if (m >= 2 && r == m - 1) {
          width = left;
        }
        sigmas[order[r]] = width;
      }
    }

    private double cdf(double x, int i) {
      return 0.5 * (1 + Erf.erf((x - means[i]) / (sigmas[i] * Math.sqrt(2))));
    }

    @Override
    double sample(int i, SplittableRandom random) {
      double lo = cdf(0, i);
      double hi = cdf(1, i);
      double p = lo + random.nextDouble() * (hi - lo);
      double z = Erf.erfInv(Math.min(1 - 1e-16, Math.max(-1 + 1e-16, 2 * p - 1)));
      return Math.min(1.0, Math.max(0.0, means[i] + sigmas[i] * Math.sqrt(2) * z));
    }

    @Override
    double logKernel(int i, double x) {
      if (integer()) {
        Object v = spec.fromUnit(x);
        double from = Math.max(0, unit(((Number) v).doubleValue()));
        double to = Math.min(1, unit(((Number) v).doubleValue() + 1));
        return Math.log(Math.max(1e-300, cdf(to, i) - cdf(from, i))) - logMass[i];
      }
      double z = (x - means[i]) / sigmas[i];
      return -0.5 * z * z - Math.log(sigmas[i] * Math.sqrt(2 * Math.PI)) - logMass[i];
    }
  }

  /** A list parameter's kernels: weight 1 on the trial's value plus PRIOR_WEIGHT / (n + 1) on each value. */
  private static final class Frequencies extends Kernels {
    private double[][] logProbabilities;
    private double[][] probabilities;

    Frequencies(ParameterSpec spec) {
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
    void fit(double[] points, double scott) {
      int n = points.length;
      int k = spec.values().size();
      probabilities = new double[n + 1][k];
      logProbabilities = new double[n + 1][k];
      for (int i = 0; i <= n; i++) {
        java.util.Arrays.fill(probabilities[i], i < n ? PRIOR_WEIGHT / (n + 1) : 1.0);
        if (i < n && !Double.isNaN(points[i])) {
          probabilities[i][(int) points[i]] += 1.0;
        }
        double total = 0;
        for (double p : probabilities[i]) {
          total += p;
        }
        for (int v = 0; v < k; v++) {
          probabilities[i][v] /= total;
          logProbabilities[i][v] = Math.log(probabilities[i][v]);
        }
      }
    }

    @Override
    double sample(int i, SplittableRandom random) {
      double u = random.nextDouble();
      double[] p = probabilities[i];
      for (int v = 0; v < p.length - 1; v++) {
        u -= p[v];
        if (u < 0) {
          return v;
        }
      }
      return p.length - 1;
    }

    @Override
    double logKernel(int i, double x) {
      return logProbabilities[i][(int) x];
    }
  }
}
