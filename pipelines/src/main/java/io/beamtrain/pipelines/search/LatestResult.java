package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * One result per trial out of its results from several rungs: the one that trained furthest,
 * unless it FAILED (then the furthest that did not fail, whose history and checkpoints are still
 * there). A trial's later rung carries its whole history, so nothing is lost by dropping the
 * earlier results.
 */
public final class LatestResult extends PTransform<PCollection<TrialResult>, PCollection<TrialResult>> {
  private LatestResult() {}

  public static LatestResult perTrial() {
    return new LatestResult();
  }

  @Override
  public PCollection<TrialResult> expand(PCollection<TrialResult> results) {
    return results
        .apply("KeyByTrial", WithKeys.of((TrialResult r) -> r.trial()).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), TrialResultCoder.of()))
        .apply("Latest", Combine.perKey((SerializableBiFunction<TrialResult, TrialResult, TrialResult>) LatestResult::later))
        .apply("DropKeys", Values.create())
        .setCoder(TrialResultCoder.of());
  }

  static TrialResult later(TrialResult a, TrialResult b) {
    boolean aFailed = a.status() == TrialStatus.FAILED;
    boolean bFailed = b.status() == TrialStatus.FAILED;
    if (aFailed != bFailed) {
      return aFailed ? b : a;
    }
    if (a.steps() != b.steps()) {
      return a.steps() > b.steps() ? a : b;
    }
    return a.history().size() >= b.history().size() ? a : b;
  }
}
