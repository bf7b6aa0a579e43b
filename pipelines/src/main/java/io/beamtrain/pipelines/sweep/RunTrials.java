package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import io.beamtrain.trainer.train.LoopTimings;
import io.beamtrain.trainer.train.TrainingListener;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Trains every trial of a sweep: {@code Trial -> TrialResult}, one result per trial whatever
 * happens to it (see {@link TrialExecutor}).
 *
 * <p>The trials are reshuffled first. A sweep's input is a handful of elements; without the
 * reshuffle, runners fuse the training into the {@code Create} step and run every trial in the
 * one bundle (and on the one worker) that holds them all. Keyed by trial id, each trial becomes
 * its own group after the shuffle, so the runner can spread them over its workers and threads.
 *
 * <p>Counters in namespace {@code beamtrain.sweep}: {@code trials_completed}, {@code
 * trials_failed} (FAILED or DIVERGED), {@code trials_stopped}, {@code training_steps} (steps trained
 * in this run: a resumed trial's earlier steps are not counted again); distribution {@code trial_millis};
 * the training's distributions of {@link TrialMetrics}.
 */
public final class RunTrials extends PTransform<PCollection<Trial>, PCollection<TrialResult>> {
  public static final String METRICS_NAMESPACE = "beamtrain.sweep";
  /** Counter names, shared with the adaptive searches so a trial counter means the same there. */
  public static final String TRIALS_STARTED = "trials_started";
  public static final String TRIALS_COMPLETED = "trials_completed";
  public static final String TRIALS_STOPPED = "trials_stopped";
  public static final String TRIALS_FAILED = "trials_failed";

  private final TrialSettings settings;

  private RunTrials(TrialSettings settings) {
    this.settings = settings;
  }

  public static RunTrials with(TrialSettings settings) {
    return new RunTrials(settings);
  }

  @Override
  public PCollection<TrialResult> expand(PCollection<Trial> trials) {
    return trials
        .apply("KeyByTrialId", WithKeys.of((Trial t) -> t.id()).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Trial.class)))
        .apply("SpreadOverWorkers", Reshuffle.of())
        .apply("DropKeys", Values.create())
        .apply("Train", ParDo.of(new RunTrialFn(settings)))
        .setCoder(TrialResultCoder.of());
  }

  /** Calls the trainer for one trial; a long-running element by design (minutes per trial). */
  static final class RunTrialFn extends DoFn<Trial, TrialResult> {
    private final TrialSettings settings;
    private final Counter started = Metrics.counter(METRICS_NAMESPACE, TRIALS_STARTED);
    private final Counter steps = Metrics.counter(METRICS_NAMESPACE, "training_steps");
    private final Counter completed = Metrics.counter(METRICS_NAMESPACE, TRIALS_COMPLETED);
    private final Counter failed = Metrics.counter(METRICS_NAMESPACE, TRIALS_FAILED);
    private final Counter stopped = Metrics.counter(METRICS_NAMESPACE, TRIALS_STOPPED);
    private final Distribution millis = Metrics.distribution(METRICS_NAMESPACE, "trial_millis");
    private final TrialObservers observers;
    private transient TrialExecutor executor;

    RunTrialFn(TrialSettings settings) {
      this.settings = settings;
      this.observers = new TrialObservers(settings);
    }

    @Setup
    public void setup() {
      executor = new TrialExecutor(settings);
    }

    @ProcessElement
    public void process(@Element Trial trial, OutputReceiver<TrialResult> out) {
      long start = System.currentTimeMillis();
      started.inc();
      // The steps this run trains, not result.steps(), which counts a resumed trial's earlier runs.
      TrainingListener countSteps = new TrainingListener() {
        @Override
        public void onLoopEnd(LoopTimings timings) {
          steps.inc(timings.steps());
        }
      };
      TrialResult result = TrialSlots.run(settings.concurrentTrials(),
          () -> executor.execute(trial, TrainingListener.all(countSteps, observers.listenerFor(trial))));
      millis.update(System.currentTimeMillis() - start);
      if (result.status() == TrialStatus.COMPLETED) {
        completed.inc();
      } else if (result.status() == TrialStatus.STOPPED) {
        stopped.inc();
      } else {
        failed.inc();
      }
      out.output(result);
    }
  }
}
