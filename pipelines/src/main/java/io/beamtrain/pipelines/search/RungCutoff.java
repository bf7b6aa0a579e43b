package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.sweep.TrialRanking;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.trainer.TrialResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Ranks a rung with one global combine ({@code Top.of(k)} under {@link TrialRanking}) and
 * carries the cut as a singleton side input: the ids of the (at most) {@code k} promoted trials,
 * best first. Fewer than {@code k} when fewer trials are promotable (failed, diverged or
 * stopped trials are never promoted); the bracket goes on with the rest.
 */
public final class RungCutoff
    extends PTransform<PCollection<TrialResult>, PCollectionView<List<String>>> {
  private final TrialRanking ranking;
  private final int keep;

  private RungCutoff(TrialRanking ranking, int keep) {
    this.ranking = ranking;
    this.keep = keep;
  }

  public static RungCutoff keepTop(int keep, TrialRanking ranking) {
    return new RungCutoff(ranking, keep);
  }

  @Override
  public PCollectionView<List<String>> expand(PCollection<TrialResult> results) {
    TrialRanking rank = ranking;
    return results
        .apply("Promotable", Filter.by(rank::isPromotable))
        .setCoder(TrialResultCoder.of())
        .apply("TopOfRung", Top.of(keep, rank.worstFirst()))
        .setCoder(ListCoder.of(TrialResultCoder.of()))
        .apply("PromotedIds", MapElements.into(TypeDescriptors.lists(TypeDescriptors.strings()))
            .via((List<TrialResult> top) -> {
              List<String> ids = new ArrayList<>();
              top.forEach(r -> ids.add(r.trial()));
              return ids;
            }))
        .setCoder(ListCoder.of(StringUtf8Coder.of()))
        .apply("AsSideInput", View.asSingleton());
  }
}
