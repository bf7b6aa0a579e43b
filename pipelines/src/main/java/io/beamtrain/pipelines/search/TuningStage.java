package io.beamtrain.pipelines.search;

import io.beamtrain.pipelines.study.Algorithm;
import io.beamtrain.pipelines.study.Brackets;
import io.beamtrain.pipelines.study.SearchSettings;
import io.beamtrain.pipelines.study.StudySpec;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.FinishStudy;
import io.beamtrain.pipelines.sweep.OutputConflicts;
import io.beamtrain.pipelines.sweep.RecordTrainingData;
import io.beamtrain.pipelines.sweep.Sweep;
import io.beamtrain.pipelines.sweep.SweepPlan;
import io.beamtrain.pipelines.sweep.SweepProgress;
import io.beamtrain.pipelines.sweep.TrialParallelism;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.pipelines.sweep.WarmStart;
import io.beamtrain.trainer.TrialResult;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The one place that turns a resolved plan into the pipeline's tuning stage, for every entry point
 * ({@code beamtrain sweep}, {@code train}, {@code retrain}, the sweep and retrain templates): the
 * study's algorithm decides the composite that trains its trials ({@link #tune}: the plain {@link
 * Sweep}, or the {@link AdaptiveSearch} of SUCCESSIVE_HALVING, HYPERBAND, ASHA, TPE or median
 * stopping), and {@link #finish} is the results tail every one of them ends with. An entry point
 * builds
 *
 * <pre>{@code
 * TuningStage stage = TuningStage.of(plan);
 * stage.prepare(options);
 * pipeline.apply("Tune", stage.tune(dataWritten)).apply("FinishStudy", stage.finish());
 * }</pre>
 *
 * and adds only what is its own on top (preprocessing before, the progress line and summary of
 * the CLI, retrain's promotion after). Immutable.
 */
public final class TuningStage {
  private final SweepPlan plan;
  private final SearchSettings search;
  private final List<Trial> trials;
  private final WarmStart warmStart;

  private TuningStage(SweepPlan plan, SearchSettings search, List<Trial> trials, WarmStart warmStart) {
    this.plan = plan;
    this.search = search;
    this.trials = trials == null ? null : List.copyOf(trials);
    this.warmStart = warmStart;
  }

  /** The study of {@code plan}, tuned by its algorithm. */
  public static TuningStage of(SweepPlan plan) {
    return new TuningStage(plan, SearchSettings.of(plan.study()), null, WarmStart.none());
  }

  /**
   * Exactly {@code trials}, each trained once to the study's {@code trainSteps}, whatever the
   * study's algorithm (retrain's one challenger with the champion's hyperparameters).
   */
  public static TuningStage ofTrials(SweepPlan plan, List<Trial> trials) {
    return new TuningStage(plan, SearchSettings.of(plan.study()), trials, WarmStart.none());
  }

  /** The same stage, trials without a checkpoint of their own starting from {@code warmStart}. */
  public TuningStage withWarmStart(WarmStart warmStart) {
    return new TuningStage(plan, search, trials, warmStart);
  }

  public SweepPlan plan() {
    return plan;
  }

  /** Whether an adaptive search tunes the study (see {@link SearchSettings#isAdaptive}). */
  public boolean isAdaptive() {
    return trials == null && SearchSettings.isAdaptive(plan.study(), search);
  }

  /** What every trial trains with: the plan's settings for the stage's trial count, with its warm start. */
  public TrialSettings settings() {
    return plan.settings().withTrialCount(trialCount()).withWarmStart(warmStart);
  }

  /** How many trials the stage may start. */
  public int trialCount() {
    if (trials != null) {
      return trials.size();
    }
    return isAdaptive() ? AdaptiveSearch.trialCount(plan.study(), search) : plan.trials().size();
  }

  /** How many trials train at once at most: ASHA's workers, else every trial. */
  int concurrentJobs() {
    return isAdaptive() && plan.study().algorithm() == Algorithm.ASHA ? search.workers() : trialCount();
  }

  /**
   * What the launcher does before building the pipeline: refuses an output that holds another
   * study, seed, trials or data ({@link SearchConflicts}, before anything is written), writes the
   * resolved study as study.json (which export, the report and the HParams experiment read), and
   * on the DirectRunner leaves threads beside the trials for scheduling (see {@link
   * TrialParallelism}).
   */
  public void prepare(PipelineOptions options) {
    if (trials != null) {
      OutputConflicts.check(plan, trials);
    } else {
      SearchConflicts.check(plan, search);
    }
    plan.writeStudy();
    TrialParallelism.leaveDirectRunnerThreadsForScheduling(options, concurrentJobs());
  }

  /** The tuning composite: {@code PBegin -> one final TrialResult per trial}. */
  public PTransform<PBegin, PCollection<TrialResult>> tune() {
    return tune(null);
  }

  /** The same, started only once {@code signal} is complete ({@code train} and retrain wait for their data). */
  public PTransform<PBegin, PCollection<TrialResult>> tune(PCollection<?> signal) {
    if (signal == null) {
      return tuneAfter(null);
    }
    // The run wrote its data: record it as the trials' data (as a sweep does before it starts).
    return new PTransform<>("TuneAfterData") {
      @Override
      public PCollection<TrialResult> expand(PBegin begin) {
        PCollection<String> recorded = begin.apply("RecordTrainingData",
            RecordTrainingData.after(signal, plan.layout(), plan.settings().storage()));
        return begin.apply("Tune", tuneAfter(recorded));
      }
    };
  }

  private PTransform<PBegin, PCollection<TrialResult>> tuneAfter(PCollection<?> signal) {
    if (!isAdaptive()) {
      Sweep sweep = Sweep.of(trials == null ? plan.trials() : trials, settings());
      return signal == null ? sweep : sweep.after(signal);
    }
    AdaptiveSearch adaptive = AdaptiveSearch.of(plan.study(), search, settings()).withPriors(plan.warmStart());
    return signal == null ? adaptive : adaptive.after(signal);
  }

  /** The results tail: results.jsonl/csv, the best trial, its export, report.html and the HParams experiment. */
  public FinishStudy finish() {
    return FinishStudy.of(settings());
  }

  /** What the CLI's progress line counts: the trials and, for an adaptive study, its step budget. */
  public SweepProgress.Plan progressPlan() {
    if (!isAdaptive()) {
      return SweepProgress.Plan.trials(
          (trials == null ? plan.trials() : trials).stream().map(Trial::id).collect(Collectors.toSet()));
    }
    StudySpec study = plan.study();
    int count = trialCount();
    long steps = switch (study.algorithm()) {
      case SUCCESSIVE_HALVING, HYPERBAND -> Brackets.totalSteps(AdaptiveSearch.brackets(study, search));
      case ASHA -> AdaptiveSearch.ashaSchedule(study, search).maxSteps();
      default -> (long) count * study.trainSteps();
    };
    return new SweepProgress.Plan("search",
        IntStream.range(0, count).mapToObj(Trial::idOf).collect(Collectors.toSet()), steps);
  }
}
