package io.beamtrain.pipelines.search;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.RunTrials;
import io.beamtrain.pipelines.sweep.TrialExecutor;
import io.beamtrain.pipelines.sweep.TrialObservers;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains every trial of its input up to one step budget: {@code Trial -> TrialResult}, one result
 * per trial whatever happens (see {@link TrialExecutor}). A trial whose directory holds
 * checkpoints continues from its latest one, so a promoted trial trains only the steps between
 * its previous rung's budget and this one. Trials are reshuffled first so each can run on its own
 * worker thread (see {@code RunTrials}).
 *
 * <p>With {@link #withMedianStopping} each trial is checked at every evaluation against the
 * reference results of a side input (see {@link MedianStopping}). Counter {@code
 * beamtrain.search/steps_trained}: training steps actually run, for budget accounting; counter
 * {@code beamtrain.sweep/trials_started}: trials trained for the first time, i.e. with no
 * result.json yet (their first rung; a promoted trial is not counted again, nor one whose earlier
 * run of the search left a result), the outcomes being counted once per trial by {@link
 * TrialOutcomes}; the training's distributions and HParams session of {@code TrialObservers}.
 */
public final class TrainRung extends PTransform<PCollection<Trial>, PCollection<TrialResult>> {
  public static final String METRICS_NAMESPACE = "beamtrain.search";
  public static final String STEPS_TRAINED = "steps_trained";
  private static final Logger LOG = LoggerFactory.getLogger(TrainRung.class);

  private final TrialSettings settings;
  private final MedianStopping stopping;
  private final PCollectionView<List<TrialResult>> references;

  private TrainRung(
      TrialSettings settings, MedianStopping stopping, PCollectionView<List<TrialResult>> references) {
    this.settings = settings;
    this.stopping = stopping;
    this.references = references;
  }

  /** Trains with {@code settings}, whose {@code trainSteps} is the budget. */
  public static TrainRung with(TrialSettings settings) {
    return new TrainRung(settings, null, null);
  }

  /** The same, stopping trials by {@code rule} against the results in {@code references}. */
  public TrainRung withMedianStopping(
      MedianStopping rule, PCollectionView<List<TrialResult>> references) {
    return new TrainRung(settings, rule, references);
  }

  /** A copy of {@code settings} with another step budget. */
  public static TrialSettings withBudget(TrialSettings settings, int budget) {
    return settings.withTrainSteps(budget);
  }

  @Override
  public PCollection<TrialResult> expand(PCollection<Trial> trials) {
    ParDo.SingleOutput<Trial, TrialResult> train = ParDo.of(new TrainFn(settings, stopping, references));
    if (references != null) {
      train = train.withSideInputs(references);
    }
    return trials
        .apply("KeyByTrialId", WithKeys.of((Trial t) -> t.id()).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Trial.class)))
        .apply("SpreadOverWorkers", Reshuffle.of())
        .apply("DropKeys", Values.create())
        .apply("Train", train)
        .setCoder(TrialResultCoder.of());
  }

  static final class TrainFn extends DoFn<Trial, TrialResult> {
    private final TrialSettings settings;
    private final MedianStopping stopping;
    private final PCollectionView<List<TrialResult>> references;
    private final Counter stepsTrained = Metrics.counter(METRICS_NAMESPACE, STEPS_TRAINED);
    private final Counter trialsStarted =
        Metrics.counter(RunTrials.METRICS_NAMESPACE, RunTrials.TRIALS_STARTED);
    private final TrialObservers observers;
    private transient TrialExecutor executor;

    TrainFn(TrialSettings settings, MedianStopping stopping, PCollectionView<List<TrialResult>> references) {
      this.settings = settings;
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
      List<TrialResult> earlier = references == null ? List.of() : context.sideInput(references);
      Trial trial = context.element();
      String resultJson = settings.layout().resultJson(trial.id());
      Storage storage = Storages.forPath(resultJson, settings.storage());
      // No result.json yet: this is the first rung the trial trains in.
      boolean firstRung = !storage.exists(resultJson);
      if (firstRung) {
        trialsStarted.inc();
      }
      double bestBefore = stopping == null || firstRung ? Double.NaN : bestSoFar(trial, storage, resultJson);
      Listener listener = new Listener(settings.metric(), stopping, earlier, stepsTrained, bestBefore);
      TrialResult result =
          executor.execute(trial, TrainingListener.all(listener, observers.listenerFor(trial)));
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
  private static final class Listener implements TrainingListener {
    private final MetricSpec metric;
    private final MedianStopping stopping;
    private final List<TrialResult> references;
    private final Counter stepsTrained;
    private double bestSoFar;

    Listener(MetricSpec metric, MedianStopping stopping, List<TrialResult> references, Counter stepsTrained,
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
      stepsTrained.inc(timings.steps());
    }
  }
}
