package io.beamtrain.pipelines.retrain;

import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.pipelines.sweep.TrialExecutor;
import io.beamtrain.pipelines.sweep.TrialObservers;
import io.beamtrain.pipelines.sweep.TrialResultCoder;
import io.beamtrain.pipelines.sweep.TrialSettings;
import io.beamtrain.trainer.TrialResult;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Trains the challengers of a retrain run with the sweep's {@link TrialExecutor}: like {@code
 * RunTrials} (reshuffled by trial id so trials spread over workers; a trial's exception becomes a
 * FAILED result), except
 * that a trial listed in {@code warmStarts} starts from that checkpoint (the champion's) instead
 * of from random weights. A trial directory that already holds a checkpoint resumes from it, as
 * in a sweep, so a re-run of a crashed retrain continues where it stopped. Each challenger reports
 * to {@link TrialObservers} like a sweep's trial: the Beam distributions of its training and its
 * TensorBoard HParams session (started when it starts training, ended with its status).
 */
public final class TrainChallengers extends PTransform<PCollection<Trial>, PCollection<TrialResult>> {
  private final TrialSettings settings;
  private final Map<String, String> warmStarts;

  private TrainChallengers(TrialSettings settings, Map<String, String> warmStarts) {
    this.settings = settings;
    this.warmStarts = Map.copyOf(warmStarts);
  }

  /** @param warmStarts trial id -> checkpoint prefix to initialise its weights from */
  public static TrainChallengers with(TrialSettings settings, Map<String, String> warmStarts) {
    return new TrainChallengers(settings, warmStarts);
  }

  @Override
  public PCollection<TrialResult> expand(PCollection<Trial> trials) {
    return trials
        .apply("KeyByTrialId", WithKeys.of((Trial t) -> t.id()).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Trial.class)))
        .apply("SpreadOverWorkers", Reshuffle.of())
        .apply("DropKeys", Values.create())
        .apply("Train", ParDo.of(new TrainFn(settings, new HashMap<>(warmStarts))))
        .setCoder(TrialResultCoder.of());
  }

  static final class TrainFn extends DoFn<Trial, TrialResult> {
    private final TrialSettings settings;
    private final HashMap<String, String> warmStarts;
    private final TrialObservers observers;
    private transient TrialExecutor executor;

    TrainFn(TrialSettings settings, HashMap<String, String> warmStarts) {
      this.settings = settings;
      this.warmStarts = warmStarts;
      this.observers = new TrialObservers(settings);
    }

    @Setup
    public void setup() {
      executor = new TrialExecutor(settings);
    }

    @ProcessElement
    public void process(@Element Trial trial, OutputReceiver<TrialResult> out) {
      out.output(executor.execute(trial, warmStarts.get(trial.id()), observers.listenerFor(trial)));
    }
  }
}
