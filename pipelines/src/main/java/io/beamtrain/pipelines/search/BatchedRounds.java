package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.MedianStopping;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.trainer.TrialResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * A search in {@code rounds} batched rounds: round {@code k} gets every result of rounds {@code
 * < k} as a side input, a {@link RoundProposer} turns them into the round's trials (for TPE: fits
 * the model and proposes), and {@link RunTrials#rung} trains them in parallel up to the study's
 * budget, optionally under the {@link MedianStopping} rule against the same earlier results.
 * Emits every trial's result.
 */
public final class BatchedRounds extends PTransform<PBegin, PCollection<TrialResult>> {
  private final RoundProposer proposer;
  private final int rounds;
  private final TrialSettings settings;
  private final MedianStopping stopping;
  private final PCollection<?> signal;

  private BatchedRounds(
      RoundProposer proposer, int rounds, TrialSettings settings, MedianStopping stopping,
      PCollection<?> signal) {
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be positive, was " + rounds);
    }
    this.proposer = proposer;
    this.rounds = rounds;
    this.settings = settings;
    this.stopping = stopping;
    this.signal = signal;
  }

  public static BatchedRounds of(RoundProposer proposer, int rounds, TrialSettings settings) {
    return new BatchedRounds(proposer, rounds, settings, null, null);
  }

  /** The same search with the median stopping rule (null = off). */
  public BatchedRounds withMedianStopping(MedianStopping rule) {
    return new BatchedRounds(proposer, rounds, settings, rule, signal);
  }

  /** The same search, started only when {@code signal} is complete (e.g. the data is written). */
  public BatchedRounds after(PCollection<?> signal) {
    return new BatchedRounds(proposer, rounds, settings, stopping, signal);
  }

  @Override
  public PCollection<TrialResult> expand(PBegin begin) {
    List<PCollection<TrialResult>> done = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      String name = "Round" + round;
      PCollectionView<List<TrialResult>> earlier = (done.isEmpty()
              ? begin.apply(name + "/NoResults", Create.empty(TrialResultCoder.of()))
              : PCollectionList.of(done).apply(name + "/EarlierResults", Flatten.pCollections())
                  .setCoder(TrialResultCoder.of()))
          .apply(name + "/AsSideInput", View.asList());
      PCollection<Integer> roundNumber = begin.apply(name + "/Round", Create.of(round));
      if (signal != null) {
        roundNumber = roundNumber.apply(name + "/WaitForData", Wait.on(signal));
      }
      PCollection<Trial> trials = roundNumber
          .apply(name + "/Propose", ParDo.of(new ProposeFn(proposer, earlier)).withSideInputs(earlier))
          .setCoder(SerializableCoder.of(Trial.class));
      RunTrials train = RunTrials.rung(settings);
      if (stopping != null) {
        train = train.withMedianStopping(stopping, earlier);
      }
      done.add(trials.apply(name + "/Train", train));
    }
    return PCollectionList.of(done).apply("AllRounds", Flatten.pCollections()).setCoder(TrialResultCoder.of());
  }

  /** Proposes one round's trials from the earlier results (a side input). */
  static final class ProposeFn extends DoFn<Integer, Trial> {
    private final RoundProposer proposer;
    private final PCollectionView<List<TrialResult>> earlier;

    ProposeFn(RoundProposer proposer, PCollectionView<List<TrialResult>> earlier) {
      this.proposer = proposer;
      this.earlier = earlier;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      proposer.propose(context.element(), context.sideInput(earlier)).forEach(context::output);
    }
  }
}
