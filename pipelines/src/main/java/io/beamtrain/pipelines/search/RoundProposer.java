package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.TrialResult;
import java.io.Serializable;
import java.util.List;

/**
 * Proposes the trials of one round of a batched search from the results of all earlier rounds.
 * Implementations are pure functions of their arguments (the results in any order), so a round's
 * trials do not depend on the runner or on the order in which results arrived.
 */
public interface RoundProposer extends Serializable {

  /**
   * @param round 0-based round number
   * @param earlier every result of rounds {@code < round}, in no particular order
   * @return this round's trials, with study-wide consecutive indices
   */
  List<Trial> propose(int round, List<TrialResult> earlier);
}
