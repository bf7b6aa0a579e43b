package io.beamtrain.pipelines.sweep;

import static io.beamtrain.pipelines.testing.TrialResults.completed;
import static io.beamtrain.pipelines.testing.TrialResults.failed;
import static io.beamtrain.pipelines.testing.TrialResults.withStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamtrain.checkpointing.Goal;
import io.beamtrain.pipelines.testing.TestPipelines;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

class SelectBestTest {
  private static final MetricSpec ACCURACY = new MetricSpec("eval_accuracy", Goal.MAXIMIZE);
  private static final MetricSpec LOSS = new MetricSpec("eval_loss", Goal.MINIMIZE);

  @Test
  void picksTheBestByGoal() throws Throwable {
    List<TrialResult> results = List.of(
        completed("trial-0000", "eval_accuracy", 0.90),
        completed("trial-0001", "eval_accuracy", 0.97),
        completed("trial-0002", "eval_accuracy", 0.95));
    assertWinner("trial-0001", ACCURACY, results);
    List<TrialResult> losses = List.of(
        completed("trial-0000", "eval_loss", 0.30),
        completed("trial-0001", "eval_loss", 0.10),
        completed("trial-0002", "eval_loss", 0.20));
    assertWinner("trial-0001", LOSS, losses);
  }

  @Test
  void tiesGoToTheSmallestTrialIdWhateverTheOrder() throws Throwable {
    List<TrialResult> results = new ArrayList<>(List.of(
        completed("trial-0003", "eval_accuracy", 1.0),
        completed("trial-0001", "eval_accuracy", 1.0),
        completed("trial-0002", "eval_accuracy", 0.5),
        completed("trial-0004", "eval_accuracy", 1.0)));
    Collections.shuffle(results, new Random(3));
    assertWinner("trial-0001", ACCURACY, results);
  }

  @Test
  void failedDivergedAndMetriclessTrialsNeverWin() throws Throwable {
    List<TrialResult> results = List.of(
        failed("trial-0000", "unknown hyperparameter 'x'"),
        withStatus("trial-0001", TrialStatus.DIVERGED, "eval_loss", 0.0001),
        completed("trial-0002", "eval_loss", Double.NaN),
        completed("trial-0003", "eval_loss", 0.4),
        withStatus("trial-0004", TrialStatus.STOPPED, "eval_loss", 0.3));
    assertWinner("trial-0004", LOSS, results);
  }

  @Test
  void allFailedFailsThePipelineQuotingTheFirstFailure() {
    List<TrialResult> results = List.of(
        failed("trial-0001", "second error"),
        failed("trial-0000", "first error"),
        withStatus("trial-0002", TrialStatus.DIVERGED, "eval_loss", 1));
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class,
        () -> TestPipelines.run(SelectBestTest.class, "allFailed", p -> {
          p.apply(Create.of(results).withCoder(TrialResultCoder.of())).apply(SelectBest.by(LOSS));
          p.run().waitUntilFinish();
        }));
    assertTrue(e.getCause() instanceof NoSuccessfulTrialException, e.toString());
    assertEquals(
        "all 3 trials failed; trial-0000 FAILED: first error (every trial is in results.jsonl)",
        e.getCause().getMessage());
  }

  private static void assertWinner(String expected, MetricSpec metric, List<TrialResult> results)
      throws Throwable {
    TestPipelines.run(SelectBestTest.class, "winner", p -> {
      PCollection<String> winner = p
          .apply(Create.of(results).withCoder(TrialResultCoder.of()))
          .apply(SelectBest.by(metric))
          .apply(MapElements.into(TypeDescriptors.strings()).via(TrialResult::trial));
      PAssert.that(winner).containsInAnyOrder(expected);
      p.run().waitUntilFinish();
    });
  }
}
