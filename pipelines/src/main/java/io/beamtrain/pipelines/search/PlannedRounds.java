package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.TrialResult;
import java.util.List;

/**
 * A non-adaptive search (GRID, RANDOM, QUASI_RANDOM) cut into rounds of {@code roundSize}
 * trials, so the median stopping rule has earlier trials to compare with.
 */
public record PlannedRounds(List<Trial> trials, int roundSize) implements RoundProposer {

  public PlannedRounds {
    trials = List.copyOf(trials);
  }

  public int rounds() {
    return Bracket.ceilDiv(trials.size(), roundSize);
  }

  @Override
  public List<Trial> propose(int round, List<TrialResult> earlier) {
    return List.copyOf(trials.subList(round * roundSize, Math.min(trials.size(), (round + 1) * roundSize)));
  }
}
