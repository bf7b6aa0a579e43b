package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.search.AshaSchedule.Job;
import io.beamtrain.pipelines.search.AshaSchedule.Outcome;
import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.ParameterSpec;
import io.beamtrain.pipelines.study.Scale;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.study.TrialSeeds;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Where ASHA's new trials come from, on hand-made job logs of a synthetic objective. */
class AshaSamplerTest {
  private static final MetricSpec LOSS = new MetricSpec("eval_loss", Goal.MINIMIZE);
  private static final List<ParameterSpec> SPACE = List.of(
      ParameterSpec.doubleRange("x", 0.0, 1.0, Scale.LINEAR),
      ParameterSpec.doubleRange("y", 1e-4, 1.0, Scale.LOG));
  private static final long SEED = 11;

  /** The study's random trials, each with a fixed parameter beside the searched ones. */
  private static List<Trial> randomTrials(int n) {
    List<Trial> trials = new ArrayList<>();
    List<SortedMap<String, Object>> points = Algorithm.RANDOM.search().suggest(SPACE, n, SEED);
    for (int i = 0; i < n; i++) {
      SortedMap<String, Object> params = new TreeMap<>(points.get(i));
      params.put("model", "dnn");
      trials.add(new Trial(Trial.idOf(i), i, params, TrialSeeds.forTrial(SEED, i)));
    }
    return trials;
  }

  /** A quadratic bowl around x = 0.2, y = 0.01 (log scale). */
  private static double bowl(Map<String, Object> params) {
    double x = ((Number) params.get("x")).doubleValue();
    double y = Math.log10(((Number) params.get("y")).doubleValue());
    return (x - 0.2) * (x - 0.2) + 0.05 * (y + 2) * (y + 2);
  }

  /** A log of {@code trials} started at rung 0 and finished with the bowl's value. */
  private static JobLog.Snapshot log(List<Trial> trials) {
    List<Job> jobs = new ArrayList<>();
    Map<Integer, Outcome> outcomes = new HashMap<>();
    Map<String, Trial> byId = new HashMap<>();
    for (Trial t : trials) {
      int index = jobs.size();
      jobs.add(new Job(index, t.id(), 0, 10, 0));
      outcomes.put(index, new Outcome(TrialStatus.COMPLETED, bowl(t.params()), 10));
      byId.put(t.id(), t);
    }
    return new JobLog.Snapshot(jobs, outcomes, byId);
  }

  @Test
  void randomTakesTheStudysTrialsInOrder() {
    List<Trial> trials = randomTrials(5);
    assertSame(trials.get(3), AshaSampler.random(trials).propose(3, log(trials.subList(0, 3))));
  }

  @Test
  void tpeStartsRandomUntilARungHasParametersPlusTwoOutcomes() {
    List<Trial> trials = randomTrials(10);
    AshaSampler tpe = AshaSampler.tpe(trials, SPACE, LOSS, SEED);
    assertEquals(trials.get(3), tpe.propose(3, log(trials.subList(0, 3))));
    Trial proposed = tpe.propose(4, log(trials.subList(0, 4)));
    assertNotEquals(trials.get(4).params(), proposed.params(), "4 = 2 parameters + 2 outcomes: the model proposes");
    // The proposal keeps the trial's id, seed and fixed parameters.
    assertEquals(trials.get(4).id(), proposed.id());
    assertEquals(trials.get(4).seed(), proposed.seed());
    assertEquals("dnn", proposed.params().get("model"));
    assertEquals(proposed, tpe.propose(4, log(trials.subList(0, 4))), "deterministic for a given log");
    // Every third trial stays random whatever the model says.
    assertEquals(trials.get(5), tpe.propose(5, log(trials.subList(0, 5))));
  }

  @Test
  void tpeProposesCloserToTheBowlsBottomThanRandomTrials() {
    int n = 60;
    List<Trial> trials = randomTrials(n);
    AshaSampler tpe = AshaSampler.tpe(trials, SPACE, LOSS, SEED);
    List<Trial> started = new ArrayList<>(trials.subList(0, 10));
    double proposed = 0;
    double random = 0;
    int count = 0;
    for (int i = 10; i < n; i++) {
      Trial next = tpe.propose(i, log(started));
      started.add(next);
      if (i % 3 != 2) {
        proposed += bowl(next.params());
        random += bowl(trials.get(i).params());
        count++;
      }
    }
    assertTrue(proposed / count < 0.5 * random / count,
        "TPE's mean " + proposed / count + " against random's " + random / count);
  }
}
