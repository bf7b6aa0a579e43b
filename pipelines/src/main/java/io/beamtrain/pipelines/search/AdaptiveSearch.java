package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.Bracket;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.pipelines.study.PbtSettings;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.trainer.TrialResult;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The tuning composite of an adaptive study, the counterpart of the plain {@code Sweep}: the
 * search ({@link SuccessiveHalving} for SUCCESSIVE_HALVING and HYPERBAND, with median stopping
 * inside rungs when it is on; {@link AsyncSuccessiveHalving} for ASHA; {@link BatchedRounds} for
 * TPE and for the other algorithms with median stopping; {@link PopulationBasedTraining} for PBT). Emits one final result per trial, for
 * {@code FinishStudy}, and counts each trial's final outcome ({@link TrialOutcomes}). {@link
 * TuningStage} decides when a study runs here.
 */
public final class AdaptiveSearch extends PTransform<PBegin, PCollection<TrialResult>> {
  private final StudySpec study;
  private final SearchSettings search;
  private final TrialSettings settings;
  private final PCollection<?> signal;
  private final List<TrialResult> priors;

  private AdaptiveSearch(
      StudySpec study, SearchSettings search, TrialSettings settings, PCollection<?> signal, List<TrialResult> priors) {
    this.study = study;
    this.search = search;
    this.settings = settings;
    this.signal = signal;
    this.priors = List.copyOf(priors);
  }

  /** The same study, started only when {@code signal} is complete ({@code train} waits for its data). */
  public AdaptiveSearch after(PCollection<?> signal) {
    return new AdaptiveSearch(study, search, settings, signal, priors);
  }

  /**
   * The same study warm-started from earlier studies' trials ({@code EarlierStudies}): they seed
   * TPE, ASHA's TPE sampler and NSGA2; the other algorithms do not learn from earlier trials.
   */
  public AdaptiveSearch withPriors(List<TrialResult> earlierTrials) {
    return new AdaptiveSearch(study, search, settings, signal, earlierTrials);
  }

  /** {@code settings.trainSteps()} is the maximum budget; {@code settings.trialCount()} should be {@link #trialCount}. */
  public static AdaptiveSearch of(StudySpec study, SearchSettings search, TrialSettings settings) {
    return new AdaptiveSearch(study, search, settings, null, List.of());
  }

  /** The brackets of a SUCCESSIVE_HALVING or HYPERBAND study. */
  public static List<Bracket> brackets(StudySpec study, SearchSettings search) {
    if (study.algorithm() == Algorithm.HYPERBAND) {
      return Brackets.hyperband(search.minBudget(), study.trainSteps(), search.eta(), search.brackets());
    }
    return Brackets.successiveHalving(
        trials(study), search.minBudget(), study.trainSteps(), search.eta());
  }

  /** The promotion rule of an ASHA study: rungs from {@code minBudget} to {@code trainSteps}, {@code maxSteps} in all. */
  public static AshaSchedule ashaSchedule(StudySpec study, SearchSettings search) {
    return AshaSchedule.of(search.minBudget(), study.trainSteps(), search.eta(), trials(study), search.maxSteps(),
        study.metric()).withObjectives(study.objectives());
  }

  /** How many trials the study starts. */
  public static int trialCount(StudySpec study, SearchSettings search) {
    return switch (study.algorithm()) {
      case SUCCESSIVE_HALVING, HYPERBAND -> Brackets.totalTrials(brackets(study, search));
      case PBT -> PbtSettings.of(study).populationSize();
      default -> trials(study);
    };
  }

  private static int trials(StudySpec study) {
    return study.maxTrials() == null ? StudySpec.DEFAULT_MAX_TRIALS : study.maxTrials();
  }

  @Override
  public PCollection<TrialResult> expand(PBegin begin) {
    PCollection<TrialResult> results = begin.apply("Search", searchTransform());
    results.apply("CountOutcomes", TrialOutcomes.count());
    return results;
  }

  private PTransform<PBegin, PCollection<TrialResult>> searchTransform() {
    if (study.algorithm() == Algorithm.PBT) {
      PopulationBasedTraining pbt = PopulationBasedTraining.of(study, settings);
      return signal == null ? pbt : pbt.after(signal);
    }
    if (study.algorithm() == Algorithm.ASHA) {
      AsyncSuccessiveHalving asha =
          AsyncSuccessiveHalving.of(study.trials(), ashaSchedule(study, search), search.workers(), settings);
      if (search.sampler() == SearchSettings.Sampler.TPE) {
        asha = asha.withSampler(
            AshaSampler.tpe(study.trials(), study.parameters(), study.metric(), study.seed(), priors));
      }
      return signal == null ? asha : asha.after(signal);
    }
    if (study.algorithm() == Algorithm.SUCCESSIVE_HALVING || study.algorithm() == Algorithm.HYPERBAND) {
      List<Bracket> plan = brackets(study, search);
      List<Trial> trials = study.withMaxTrials(Brackets.totalTrials(plan)).trials();
      SuccessiveHalving halving = SuccessiveHalving.of(trials, plan, settings);
      if (search.medianStopping() != null) {
        halving = halving.withMedianStopping(search.medianStopping(), search.roundSize());
      }
      return signal == null ? halving : halving.after(signal);
    }
    int trials = trials(study);
    RoundProposer proposer = switch (study.algorithm()) {
      case TPE -> new TpeProposer(
          study.parameters(), study.fixed(), study.metric(), study.seed(), search.roundSize(), trials)
          .withPriors(priors);
      case NSGA2 -> new Nsga2Proposer(
          study.parameters(), study.fixed(), study.objectives(), study.seed(), search.roundSize(), trials)
          .withPriors(priors);
      default -> new PlannedRounds(study.trials(), search.roundSize());
    };
    int rounds = Bracket.ceilDiv(trials, search.roundSize());
    BatchedRounds rounded = BatchedRounds.of(proposer, rounds, settings);
    if (signal != null) {
      rounded = rounded.after(signal);
    }
    return search.medianStopping() == null ? rounded : rounded.withMedianStopping(search.medianStopping());
  }
}
