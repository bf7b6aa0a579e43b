package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Counts the final outcome of every trial of a search, from its one final result (the one
 * results.jsonl records): {@value RunTrials#TRIALS_COMPLETED}, {@value RunTrials#TRIALS_STOPPED}
 * (early or median stopping) and {@value RunTrials#TRIALS_FAILED} (FAILED or DIVERGED), in
 * namespace {@value RunTrials#METRICS_NAMESPACE} beside {@link RunTrials#rung}'s {@value
 * RunTrials#TRIALS_STARTED}, so they mean what the plain sweep's counters of the same names mean: trials, not rung attempts. A trial cut
 * at a rung counts as completed (it trained its whole budget there). Counted once the search
 * knows the trial is done, which for successive halving is after its last rung.
 */
public final class TrialOutcomes extends PTransform<PCollection<TrialResult>, PCollection<Void>> {

  private TrialOutcomes() {}

  /** Counts the outcomes of {@code PCollection<TrialResult>}, one final result per trial. */
  public static TrialOutcomes count() {
    return new TrialOutcomes();
  }

  @Override
  public PCollection<Void> expand(PCollection<TrialResult> finalResults) {
    return finalResults.apply("Count", ParDo.of(new CountFn()));
  }

  static final class CountFn extends DoFn<TrialResult, Void> {
    private final Counter completed =
        Metrics.counter(RunTrials.METRICS_NAMESPACE, RunTrials.TRIALS_COMPLETED);
    private final Counter stopped =
        Metrics.counter(RunTrials.METRICS_NAMESPACE, RunTrials.TRIALS_STOPPED);
    private final Counter failed =
        Metrics.counter(RunTrials.METRICS_NAMESPACE, RunTrials.TRIALS_FAILED);

    @ProcessElement
    public void process(@Element TrialResult result) {
      if (result.status() == TrialStatus.COMPLETED) {
        completed.inc();
      } else if (result.status() == TrialStatus.STOPPED) {
        stopped.inc();
      } else {
        failed.inc();
      }
    }
  }
}
