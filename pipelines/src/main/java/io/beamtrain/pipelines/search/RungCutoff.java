package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.sweep.ParetoOrder;
import io.beamtrain.pipelines.sweep.TrialRanking;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.trainer.TrialResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
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
 *
 * <p>A multi-objective study has no one best value: its rung is gathered whole (a rung is at
 * most {@code maxTrials} results) and cut by {@link ParetoOrder} -- non-dominated rank, crowding
 * distance as the tie-break, feasible trials first -- so successive halving and Hyperband keep
 * the trials nearest the front and spread along it.
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
    if (rank.objectives().isMultiObjective()) {
      return results
          .apply("Promotable", Filter.by(rank::isPromotable))
          .setCoder(TrialResultCoder.of())
          .apply("ParetoCut", Combine.globally(new ParetoCutFn(new ParetoOrder(rank.objectives()), keep)))
          .setCoder(ListCoder.of(StringUtf8Coder.of()))
          .apply("AsSideInput", View.asSingleton());
    }
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

  /** Gathers a rung's promotable results and keeps the ids of the first {@code keep} by {@link ParetoOrder}. */
  static final class ParetoCutFn extends Combine.CombineFn<TrialResult, List<TrialResult>, List<String>> {
    private final ParetoOrder order;
    private final int keep;

    ParetoCutFn(ParetoOrder order, int keep) {
      this.order = order;
      this.keep = keep;
    }

    @Override
    public List<TrialResult> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<TrialResult> addInput(List<TrialResult> all, TrialResult result) {
      all.add(result);
      return all;
    }

    @Override
    public List<TrialResult> mergeAccumulators(Iterable<List<TrialResult>> parts) {
      List<TrialResult> merged = new ArrayList<>();
      parts.forEach(merged::addAll);
      return merged;
    }

    @Override
    public List<String> extractOutput(List<TrialResult> all) {
      return order.sort(all).stream().limit(keep).map(TrialResult::trial).toList();
    }

    @Override
    public Coder<List<TrialResult>> getAccumulatorCoder(CoderRegistry registry, Coder<TrialResult> input) {
      return ListCoder.of(TrialResultCoder.of());
    }
  }
}
