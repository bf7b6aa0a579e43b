package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Trial;
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
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Successive halving and Hyperband as Beam stages. Each {@link Bracket} is a branch of the
 * pipeline: rung {@code r} trains its trials up to the rung's budget ({@link TrainRung}; a trial
 * continues from its own latest checkpoint, so the rungs of a trial form one continuous run with
 * one result.json history and one TensorBoard file), {@link RungCutoff} ranks the rung with a
 * global combine, and the cut reaches the next rung as a side input, which lets only the top
 * {@code ceil(n / eta)} trials on. Brackets share nothing, so a runner trains them in parallel.
 * Emits one result per trial: its latest (see {@link LatestResult}).
 */
public final class SuccessiveHalving extends PTransform<PBegin, PCollection<TrialResult>> {
  private final List<Trial> trials;
  private final List<Bracket> brackets;
  private final TrialSettings settings;
  private final PCollection<?> signal;

  private SuccessiveHalving(
      List<Trial> trials, List<Bracket> brackets, TrialSettings settings, PCollection<?> signal) {
    this.trials = List.copyOf(trials);
    this.brackets = List.copyOf(brackets);
    this.settings = settings;
    this.signal = signal;
    int needed = Brackets.totalTrials(brackets);
    if (trials.size() < needed) {
      throw new IllegalArgumentException(
          "the brackets need " + needed + " trials, got " + trials.size());
    }
  }

  /**
   * @param trials the study's trials, in index order; bracket {@code b} takes {@code
   *     trials[b.firstTrial() .. b.firstTrial() + b.trials())}
   * @param brackets from {@link Brackets}
   * @param settings shared trial settings; {@code trainSteps} is replaced by each rung's budget
   */
  public static SuccessiveHalving of(List<Trial> trials, List<Bracket> brackets, TrialSettings settings) {
    return new SuccessiveHalving(trials, brackets, settings, null);
  }

  /** The same search, started only when {@code signal} is complete (e.g. the data is written). */
  public SuccessiveHalving after(PCollection<?> signal) {
    return new SuccessiveHalving(trials, brackets, settings, signal);
  }

  @Override
  public PCollection<TrialResult> expand(PBegin begin) {
    List<PCollection<TrialResult>> all = new ArrayList<>();
    PromotionRanking ranking = new PromotionRanking(settings.metric());
    for (Bracket bracket : brackets) {
      String name = "Bracket" + bracket.index();
      List<Trial> members = trials.subList(bracket.firstTrial(), bracket.firstTrial() + bracket.trials());
      PCollection<Trial> survivors = begin.apply(
          name + "/CreateTrials", Create.of(members).withCoder(SerializableCoder.of(Trial.class)));
      if (signal != null) {
        survivors = survivors.apply(name + "/WaitForData", Wait.on(signal));
      }
      for (Rung rung : bracket.rungs()) {
        String rungName = name + "/Rung" + rung.index();
        PCollection<TrialResult> results = survivors.apply(
            rungName + "/Train", TrainRung.with(TrainRung.withBudget(settings, rung.budget())));
        all.add(results);
        if (!rung.isLast()) {
          PCollectionView<List<String>> cut =
              results.apply(rungName + "/Cutoff", RungCutoff.keepTop(rung.promoted(), ranking));
          survivors = survivors
              .apply(rungName + "/Promote", ParDo.of(new PromoteFn(cut)).withSideInputs(cut))
              .setCoder(SerializableCoder.of(Trial.class));
        }
      }
    }
    return PCollectionList.of(all)
        .apply("AllRungs", Flatten.pCollections())
        .setCoder(TrialResultCoder.of())
        .apply("LatestPerTrial", LatestResult.perTrial());
  }

  /** Lets a trial through when the rung's cut-off (a side input) promoted it. */
  static final class PromoteFn extends DoFn<Trial, Trial> {
    private final PCollectionView<List<String>> cut;

    PromoteFn(PCollectionView<List<String>> cut) {
      this.cut = cut;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      if (context.sideInput(cut).contains(context.element().id())) {
        context.output(context.element());
      }
    }
  }
}
