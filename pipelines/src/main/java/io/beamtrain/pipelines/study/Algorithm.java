package io.beamtrain.pipelines.study;

/**
 * The search algorithms a study may name. SUCCESSIVE_HALVING, HYPERBAND, ASHA, TPE and NSGA2 are adaptive: they
 * run in the {@code io.beamtrain.pipelines.search} pipeline, whose {@code SearchSettings} reads
 * their options from the spec's {@code search} block; their {@link #search()} draws the starting
 * trials (random for the multi-fidelity ones, quasi-random for TPE's first round).
 */
public enum Algorithm {
  /** Every combination of the parameters' grid values, in parameter order, last fastest. */
  GRID(new GridSearch()),
  /** Independent uniform draws (log-uniform on LOG scale), one random stream per trial. */
  RANDOM(new RandomSearch()),
  /** A scrambled Sobol sequence: covers the space more evenly than RANDOM for few trials. */
  QUASI_RANDOM(new QuasiRandomSearch()),
  /** Random trials trained in rungs of growing budget; the top 1/eta of each rung go on. */
  SUCCESSIVE_HALVING(new RandomSearch()),
  /** Successive-halving brackets of different starting budgets, run in parallel. */
  HYPERBAND(new RandomSearch()),
  /**
   * Asynchronous successive halving: each free worker promotes a trial in the top 1/eta of its
   * rung's finished jobs, or starts a new random trial; no rung waits for another.
   */
  ASHA(new RandomSearch()),
  /** Tree-structured Parzen Estimator in batched rounds; the first round is QUASI_RANDOM. */
  TPE(new QuasiRandomSearch()),
  /**
   * Population-based training: a random population trains in generations of {@code
   * perturbationInterval} steps; after each, the bottom members take a copy of a top member's
   * checkpoint and perturbed hyperparameters ({@code PbtSettings}).
   */
  PBT(new RandomSearch()),
  /**
   * NSGA-II in batched rounds (generations of roundSize), for multi-objective studies: parents
   * by non-dominated rank and crowding distance; the first round is QUASI_RANDOM.
   */
  NSGA2(new QuasiRandomSearch());

  private final SearchAlgorithm search;

  Algorithm(SearchAlgorithm search) {
    this.search = search;
  }

  /** Draws the study's (starting) trials. */
  public SearchAlgorithm search() {
    return search;
  }
}
