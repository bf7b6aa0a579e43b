package io.beamtrain.pipelines.study;

/**
 * The search algorithms a study may name. The spec format reserves the names of the multi-fidelity
 * and model-based algorithms of Vertex AI Vizier ({@code SUCCESSIVE_HALVING}, {@code HYPERBAND},
 * {@code TPE}) so a spec that uses them fails validation with a clear message instead of as an
 * unknown value.
 */
public enum Algorithm {
  /** Every combination of the parameters' grid values, in parameter order, last fastest. */
  GRID(new GridSearch()),
  /** Independent uniform draws (log-uniform on LOG scale), one random stream per trial. */
  RANDOM(new RandomSearch()),
  /** A scrambled Sobol sequence: covers the space more evenly than RANDOM for few trials. */
  QUASI_RANDOM(new QuasiRandomSearch()),
  SUCCESSIVE_HALVING(null),
  HYPERBAND(null),
  TPE(null);

  private final SearchAlgorithm search;

  Algorithm(SearchAlgorithm search) {
    this.search = search;
  }

  public boolean isSupported() {
    return search != null;
  }

  /** The implementation; only for {@link #isSupported()} algorithms. */
  public SearchAlgorithm search() {
    if (search == null) {
      throw new UnsupportedOperationException(name() + " is not implemented");
    }
    return search;
  }
}
