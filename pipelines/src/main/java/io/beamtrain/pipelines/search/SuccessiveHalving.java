package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.pipelines.study.MedianStopping;
import io.beamtrain.pipelines.study.Rung;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialRanking;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.trainer.TrialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
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
 * Successive halving and Hyperband as Beam stages. Each {@link Bracket} is a branch of the
 * pipeline: rung {@code r} trains its trials up to the rung's budget ({@link RunTrials#rung}; a trial
 * continues from its own latest checkpoint, so the rungs of a trial form one continuous run with
 * one result.json history and one TensorBoard file), {@link RungCutoff} ranks the rung with a
 * global combine, and the cut reaches the next rung as a side input, which lets only the top
 * {@code ceil(n / eta)} trials on. Brackets share nothing, so a runner trains them in parallel.
 * Emits one result per trial: its latest (see {@link LatestResult}).
 *
 * <p>A trial with a learning-rate decay and no {@code decay_steps} gets {@code decay_steps} = the
 * maximum budget: the trainer's default horizon is the run's {@code trainSteps}, which here is the
 * rung's budget, so each rung would otherwise squeeze a whole schedule into its steps and rank
 * trials on a schedule the full run never follows.
 *
 * <p>{@link #withMedianStopping} adds the median stopping rule inside rungs: each rung trains its
 * trials in rounds of {@code roundSize} (by trial id), and a trial of round {@code k} is checked at
 * every evaluation against the trials of rounds {@code < k} of the same rung, at equal steps. A
 * stopped trial is STOPPED and never promoted (it was below the median, so at most rarely among
 * the top {@code 1 / eta}); the rest of the rung's ranking and cut are unchanged. The rounds make a
 * rung's decisions independent of timing (references are always finished trials) at the price of
 * running a rung's rounds one after another; the first round of every rung, and a rung with no
 * more than {@code roundSize} trials, always trains to the rung's budget.
 */
public final class SuccessiveHalving extends PTransform<PBegin, PCollection<TrialResult>> {
  static final String DECAY = "learning_rate_decay";
  static final String DECAY_STEPS = "decay_steps";

  private final List<Trial> trials;
  private final List<Bracket> brackets;
  private final TrialSettings settings;
  private final PCollection<?> signal;
  private final MedianStopping stopping;
  private final int roundSize;

  private SuccessiveHalving(
      List<Trial> trials, List<Bracket> brackets, TrialSettings settings, PCollection<?> signal,
      MedianStopping stopping, int roundSize) {
    this.trials = List.copyOf(trials);
    this.brackets = List.copyOf(brackets);
    this.settings = settings;
    this.signal = signal;
    this.stopping = stopping;
    this.roundSize = roundSize;
    int needed = Brackets.totalTrials(brackets);
    if (trials.size() < needed) {
      throw new IllegalArgumentException(
          "the brackets need " + needed + " trials, got " + trials.size());
    }
    if (stopping != null && roundSize < 1) {
      throw new IllegalArgumentException("search.roundSize must be at least 1, was " + roundSize);
    }
  }

  /**
   * @param trials the study's trials, in index order; bracket {@code b} takes {@code
   *     trials[b.firstTrial() .. b.firstTrial() + b.trials())}
   * @param brackets from {@link Brackets}
   * @param settings shared trial settings; {@code trainSteps} is replaced by each rung's budget
   */
  public static SuccessiveHalving of(List<Trial> trials, List<Bracket> brackets, TrialSettings settings) {
    int maxBudget = brackets.stream().mapToInt(b -> b.rungs().get(b.rungs().size() - 1).budget()).max().orElse(1);
    List<Trial> withHorizon = trials.stream().map(t -> withScheduleHorizon(t, maxBudget)).toList();
    return new SuccessiveHalving(withHorizon, brackets, settings, null, null, 0);
  }

  /** The trials it trains, as it trains them (with the schedule horizon of {@link #withScheduleHorizon}). */
  List<Trial> trials() {
    return trials;
  }

  /** The same search, started only when {@code signal} is complete (e.g. the data is written). */
  public SuccessiveHalving after(PCollection<?> signal) {
    return new SuccessiveHalving(trials, brackets, settings, signal, stopping, roundSize);
  }

  /** The same search with the median stopping rule inside each rung, in rounds of {@code roundSize} trials. */
  public SuccessiveHalving withMedianStopping(MedianStopping rule, int roundSize) {
    return new SuccessiveHalving(trials, brackets, settings, signal, rule, roundSize);
  }

  /** {@code trial} with {@code decay_steps = maxBudget} when it decays its learning rate without a horizon. */
  static Trial withScheduleHorizon(Trial trial, int maxBudget) {
    Object decay = trial.params().get(DECAY);
    if (decay == null || "none".equals(String.valueOf(decay).trim().toLowerCase(Locale.ROOT))
        || trial.params().containsKey(DECAY_STEPS)) {
      return trial;
    }
    SortedMap<String, Object> params = new TreeMap<>(trial.params());
    params.put(DECAY_STEPS, maxBudget);
    return new Trial(trial.id(), trial.index(), params, trial.seed());
  }

  @Override
  public PCollection<TrialResult> expand(PBegin begin) {
    List<PCollection<TrialResult>> all = new ArrayList<>();
    TrialRanking ranking = new TrialRanking(settings.metric(), settings.objectives());
    for (Bracket bracket : brackets) {
      String name = "Bracket" + bracket.index();
      List<Trial> members = trials.subList(bracket.firstTrial(), bracket.firstTrial() + bracket.trials());
      PCollection<Trial> survivors = begin.apply(
          name + "/CreateTrials", Create.of(members).withCoder(SerializableCoder.of(Trial.class)));
      if (signal != null) {
        survivors = survivors.apply(name + "/WaitForData", Wait.on(signal));
      }
      List<String> rungIds = members.stream().map(Trial::id).toList();
      PCollectionView<List<String>> cut = null;
      for (Rung rung : bracket.rungs()) {
        String rungName = name + "/Rung" + rung.index();
        RunTrials budget = RunTrials.rung(settings).withBudget(rung.budget());
        PCollection<TrialResult> results = stopping == null
            ? survivors.apply(rungName + "/Train", budget)
            : trainInRounds(begin, rungName, survivors, rung, budget, rungIds, cut);
        all.add(results);
        if (!rung.isLast()) {
          cut = results.apply(rungName + "/Cutoff", RungCutoff.keepTop(rung.promoted(), ranking));
          survivors = survivors
              .apply(rungName + "/Promote", ParDo.of(new PromoteFn(cut)).withSideInputs(cut))
              .setCoder(SerializableCoder.of(Trial.class));
          rungIds = null;
        }
      }
    }
    return PCollectionList.of(all)
        .apply("AllRungs", Flatten.pCollections())
        .setCoder(TrialResultCoder.of())
        .apply("LatestPerTrial", LatestResult.perTrial());
  }

  /**
   * Trains a rung's trials in rounds under the median rule. The rung's trial ids are {@code
   * staticIds} for a first rung, else the previous rung's cut (a side input).
   */
  private PCollection<TrialResult> trainInRounds(
      PBegin begin, String rungName, PCollection<Trial> survivors, Rung rung, RunTrials budget,
      List<String> staticIds, PCollectionView<List<String>> cut) {
    List<PCollection<TrialResult>> done = new ArrayList<>();
    int rounds = Bracket.ceilDiv(rung.trials(), roundSize);
    for (int round = 0; round < rounds; round++) {
      String name = rungName + "/Round" + round;
      PCollectionView<List<TrialResult>> earlier = (done.isEmpty()
              ? begin.apply(name + "/NoResults", Create.empty(TrialResultCoder.of()))
              : PCollectionList.of(done).apply(name + "/EarlierResults", Flatten.pCollections())
                  .setCoder(TrialResultCoder.of()))
          .apply(name + "/AsSideInput", View.asList());
      InRoundFn select = new InRoundFn(staticIds, cut, round, roundSize);
      PCollection<Trial> members = (cut == null
              ? survivors.apply(name + "/Select", ParDo.of(select))
              : survivors.apply(name + "/Select", ParDo.of(select).withSideInputs(cut)))
          .setCoder(SerializableCoder.of(Trial.class));
      done.add(members.apply(name + "/Train", budget.withMedianStopping(stopping, earlier)));
    }
    return PCollectionList.of(done).apply(rungName + "/AllRounds", Flatten.pCollections())
        .setCoder(TrialResultCoder.of());
  }

  /** Lets a trial through when it belongs to round {@code round}: its position among the rung's ids, sorted. */
  static final class InRoundFn extends DoFn<Trial, Trial> {
    private final List<String> staticIds;
    private final PCollectionView<List<String>> cut;
    private final int round;
    private final int roundSize;

    InRoundFn(List<String> staticIds, PCollectionView<List<String>> cut, int round, int roundSize) {
      this.staticIds = staticIds == null ? null : List.copyOf(staticIds);
      this.cut = cut;
      this.round = round;
      this.roundSize = roundSize;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      List<String> ids = new ArrayList<>(cut == null ? staticIds : context.sideInput(cut));
      ids.sort(null);
      int position = ids.indexOf(context.element().id());
      if (position >= 0 && position / roundSize == round) {
        context.output(context.element());
      }
    }
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
