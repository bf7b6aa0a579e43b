package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.study.MedianStopping;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stage that trains trials: {@code Trial -> TrialResult}, one result per trial whatever
 * happens to it (see {@link TrialExecutor}), for a plain sweep, each rung or round of an adaptive
 * search and retrain's challengers alike. Parameterised by the trials' step budget ({@link
 * #withBudget}: a trial whose directory holds checkpoints continues from its latest one, so a
 * promoted trial trains only the steps between its previous rung's budget and this one), their
 * warm start ({@link #withWarmStart}) and, for a search, the median stopping rule against the
 * results of a side input ({@link #withMedianStopping}). At most {@link
 * TrialSettings#concurrentTrials()} trials train at once per worker JVM ({@link TrialSlots}).
 *
 * <p>The trials are spread over the workers first ({@link SpreadOverWorkers}, by trial index): a
 * stage's input is a handful of elements, which runners would otherwise train in the one bundle
 * (and on the one worker) that holds them all.
 *
 * <p>Counters in namespace {@code beamtrain.sweep}. Trained {@link #with} (results that are final:
 * a sweep, retrain): {@code trials_started} per attempt, {@code trials_completed}, {@code
 * trials_failed} (FAILED or DIVERGED), {@code trials_stopped}, {@code training_steps} (steps
 * trained in this run: a resumed trial's earlier steps are not counted again); distribution {@code trial_millis}. Trained as a search's
 * {@link #rung} (results that are not final): {@code trials_started} only for a trial with no
 * result.json yet (its first rung), the outcomes being counted once per trial by the search
 * ({@code TrialOutcomes}), and {@code beamtrain.search/steps_trained}: training steps actually
 * run, for budget accounting. Both: the training's distributions and HParams session of {@link
 * TrialObservers}.
 */
public final class RunTrials extends PTransform<PCollection<Trial>, PCollection<TrialResult>> {
  public static final String METRICS_NAMESPACE = "beamtrain.sweep";
  /** Counter names, shared with the adaptive searches so a trial counter means the same there. */
  public static final String TRIALS_STARTED = "trials_started";
  public static final String TRIALS_COMPLETED = "trials_completed";
  public static final String TRIALS_STOPPED = "trials_stopped";
  public static final String TRIALS_FAILED = "trials_failed";
  /** Namespace and counter of the steps a search's stages actually train. */
  public static final String SEARCH_NAMESPACE = "beamtrain.search";
  public static final String STEPS_TRAINED = "steps_trained";

  private static final Logger LOG = LoggerFactory.getLogger(RunTrials.class);

  private final TrialSettings settings;
  private final boolean finalResults;
  private final MedianStopping stopping;
  private final PCollectionView<List<TrialResult>> references;

  private RunTrials(TrialSettings settings, boolean finalResults, MedianStopping stopping,
      PCollectionView<List<TrialResult>> references) {
    this.settings = settings;
    this.finalResults = finalResults;
    this.stopping = stopping;
    this.references = references;
  }

  /** Trains each trial to {@code settings.trainSteps()}; its result is the trial's final one. */
  public static RunTrials with(TrialSettings settings) {
    return new RunTrials(settings, true, null, null);
  }

  /** Trains each trial as one stage of a search, to {@code settings.trainSteps()}; the search counts the outcomes. */
  public static RunTrials rung(TrialSettings settings) {
    return new RunTrials(settings, false, null, null);
  }

  /** The same stage with another step budget per trial. */
  public RunTrials withBudget(int steps) {
    return new RunTrials(settings.withTrainSteps(steps), finalResults, stopping, references);
  }

  /** The same stage, trials without a checkpoint of their own starting from {@code warmStart}. */
  public RunTrials withWarmStart(WarmStart warmStart) {
    return new RunTrials(settings.withWarmStart(warmStart), finalResults, stopping, references);
  }

  /** The same, stopping trials by {@code rule} against the results in {@code references}. */
  public RunTrials withMedianStopping(MedianStopping rule, PCollectionView<List<TrialResult>> references) {
    return new RunTrials(settings, finalResults, rule, references);
  }

  /** The settings the trials train with (budget and warm start included). */
  public TrialSettings settings() {
    return settings;
  }

  @Override
  public PCollection<TrialResult> expand(PCollection<Trial> trials) {
    ParDo.SingleOutput<Trial, TrialResult> train =
        ParDo.of(new RunTrialFn(settings, finalResults, stopping, references));
    if (references != null) {
      train = train.withSideInputs(references);
    }
    return trials
        .apply("SpreadOverWorkers", SpreadOverWorkers.<Trial>byIndex(Trial::index))
        .apply("Train", train)
        .setCoder(TrialResultCoder.of());
  }

  /** Calls the trainer for one trial; a long-running element by design (minutes per trial). */
  static final class RunTrialFn extends DoFn<Trial, TrialResult> {
    private final TrialSettings settings;
    private final boolean finalResults;
    private final MedianStopping stopping;
    private final PCollectionView<List<TrialResult>> references;
    private final Counter started = Metrics.counter(METRICS_NAMESPACE, TRIALS_STARTED);
    private final Counter steps = Metrics.counter(METRICS_NAMESPACE, "training_steps");
    private final Counter completed = Metrics.counter(METRICS_NAMESPACE, TRIALS_COMPLETED);
    private final Counter failed = Metrics.counter(METRICS_NAMESPACE, TRIALS_FAILED);
    private final Counter stopped = Metrics.counter(METRICS_NAMESPACE, TRIALS_STOPPED);
    private final Counter stepsTrained = Metrics.counter(SEARCH_NAMESPACE, STEPS_TRAINED);
    private final Distribution millis = Metrics.distribution(METRICS_NAMESPACE, "trial_millis");
    private final TrialObservers observers;
    private transient TrialExecutor executor;

    RunTrialFn(TrialSettings settings, boolean finalResults, MedianStopping stopping,
        PCollectionView<List<TrialResult>> references) {
      this.settings = settings;
      this.finalResults = finalResults;
      this.stopping = stopping;
      this.references = references;
      this.observers = new TrialObservers(settings);
    }

    @Setup
    public void setup() {
      executor = new TrialExecutor(settings);
    }

    @ProcessElement
    public void process(ProcessContext context) {
      Trial trial = context.element();
      List<TrialResult> earlier = references == null ? List.of() : context.sideInput(references);
      String resultJson = settings.layout().resultJson(trial.id());
      Storage storage = Storages.forPath(resultJson, settings.storage());
      // No result.json yet: this is the first rung the trial trains in.
      boolean firstRung = finalResults || !storage.exists(resultJson);
      if (firstRung) {
        started.inc();
      }
      double bestBefore = stopping == null || firstRung ? Double.NaN : bestSoFar(trial, storage, resultJson);
      // Counts the steps this attempt trains (not result.steps(), which counts a resumed
      // trial's earlier runs too), and applies the median rule, if any.
      TrainingListener listener = TrainingListener.all(
          new RungListener(settings.metric(), stopping, earlier, finalResults ? steps : stepsTrained, bestBefore),
          observers.listenerFor(trial));
      long start = System.currentTimeMillis();
      TrialResult result = executor.execute(trial, listener);
      if (finalResults) {
        millis.update(System.currentTimeMillis() - start);
        if (result.status() == TrialStatus.COMPLETED) {
          completed.inc();
        } else if (result.status() == TrialStatus.STOPPED) {
          stopped.inc();
        } else {
          failed.inc();
        }
      }
      context.output(result);
    }

    /**
     * The trial's best metric before this attempt: a trial continued in a later rung (or resumed
     * after a crash) is judged by its whole history, not only the evaluations of this attempt.
     */
    private double bestSoFar(Trial trial, Storage storage, String resultJson) {
      try {
        TrialResult previous = TrialResult.fromJson(
            new String(storage.readBytes(resultJson), StandardCharsets.UTF_8), resultJson);
        return MedianStopping.bestUpTo(previous, settings.metric(), Long.MAX_VALUE, false);
      } catch (RuntimeException e) {
        // The trainer reads the same file and reports a broken one; the rule then starts afresh.
        LOG.debug("{}: no earlier history for median stopping: {}", trial.id(), e.getMessage());
        return Double.NaN;
      }
    }
  }

  /** Counts the steps an attempt trains and applies the median rule, if any. */
  private static final class RungListener implements TrainingListener {
    private final MetricSpec metric;
    private final MedianStopping stopping;
    private final List<TrialResult> references;
    private final Counter stepsTrained;
    private double bestSoFar;

    RungListener(MetricSpec metric, MedianStopping stopping, List<TrialResult> references, Counter stepsTrained,
        double bestBefore) {
      this.metric = metric;
      this.stopping = stopping;
      this.references = references;
      this.stepsTrained = stepsTrained;
      this.bestSoFar = bestBefore;
    }

    @Override
    public String stopReason(long step, Map<String, Double> metrics) {
      double value = metrics.getOrDefault(metric.name(), Double.NaN);
      if (Double.isFinite(value) && (Double.isNaN(bestSoFar) || metric.goal().isBetter(value, bestSoFar))) {
        bestSoFar = value;
      }
      return stopping == null ? null : stopping.stopReason(metric, step, bestSoFar, references);
    }

    @Override
    public void onLoopEnd(LoopTimings timings) {
      if (stepsTrained != null) {
        stepsTrained.inc(timings.steps());
      }
    }
  }
}
