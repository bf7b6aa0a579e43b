package io.beamtrain.pipelines.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.sweep.TrialRanking;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.testing.TestPipelines;
import io.beamtrain.pipelines.testing.TrialResults;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RungCutoffTest {

  /** Seven trials; trial-0005 ties trial-0001, trial-0006 FAILED, trial-0004 STOPPED. */
  private static List<TrialResult> rung(String metric) {
    double[] values = {0.5, 0.3, 0.9, 0.1, 0.05, 0.3};
    List<TrialResult> results = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      String id = String.format("trial-%04d", i);
      results.add(i == 4
          ? TrialResults.withStatus(id, TrialStatus.STOPPED, metric, values[i])
          : TrialResults.completed(id, metric, values[i]));
    }
    results.add(TrialResults.failed("trial-0006", "hidden_units must be positive"));
    return results;
  }

  @ParameterizedTest
  @CsvSource({
    // ceil(7 / eta) kept; smaller is better for eval_loss; trial-0001 beats trial-0005 on the tie
    "eval_loss, MINIMIZE, 3, 'trial-0003,trial-0001,trial-0005'",
    "eval_loss, MINIMIZE, 4, 'trial-0003,trial-0001'",
    "eval_accuracy, MAXIMIZE, 3, 'trial-0002,trial-0000,trial-0001'",
    "eval_accuracy, MAXIMIZE, 2, 'trial-0002,trial-0000,trial-0001,trial-0005'",
    // more slots than promotable trials: the STOPPED and FAILED ones never go on
    "eval_loss, MINIMIZE, 1, 'trial-0003,trial-0001,trial-0005,trial-0000,trial-0002'",
  })
  void keepsTheTopCeilNOverEtaByTheGoalWithTiesByTrialId(
      String metric, Goal goal, int eta, String expected) throws Throwable {
    List<TrialResult> results = rung(metric);
    int keep = Bracket.ceilDiv(results.size(), eta);
    TrialRanking ranking = new TrialRanking(new MetricSpec(metric, goal));
    TestPipelines.run(RungCutoffTest.class, metric + eta, p -> {
      PCollectionView<List<String>> cut = p
          .apply("Results", Create.of(results).withCoder(TrialResultCoder.of()))
          .apply(RungCutoff.keepTop(keep, ranking));
      PCollection<List<String>> seen = p.apply("One", Create.of(1))
          .apply(ParDo.of(new ReadSideInput(cut)).withSideInputs(cut));
      PAssert.thatSingleton(seen).satisfies(ids -> {
        assertEquals(List.of(expected.split(",")), ids);
        return null;
      });
      p.run().waitUntilFinish();
    });
  }

  /** Emits the side input once, so PAssert can look at it. */
  static final class ReadSideInput extends DoFn<Integer, List<String>> {
    private final PCollectionView<List<String>> view;

    ReadSideInput(PCollectionView<List<String>> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.sideInput(view));
    }
  }
}
