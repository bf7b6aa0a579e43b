package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.train.TrainingListener;
import java.io.Serializable;

/**
 * What the trial DoFns ({@link RunTrials}, the ASHA workers) attach to every trial
 * they train: the Beam metrics of its training ({@link TrialMetrics}) and its TensorBoard HParams
 * session, started when the trial starts training (so the dashboard lists it as running) and
 * ended with its status (by {@link TrialExecutor}, whatever the outcome). Serializable, a field
 * of the DoFns.
 */
public final class TrialObservers implements Serializable {
  private final TrialSettings settings;
  private final TrialMetrics metrics = new TrialMetrics();

  public TrialObservers(TrialSettings settings) {
    this.settings = settings;
  }

  /** The listener to pass to {@link TrialExecutor#execute(Trial, TrainingListener)}. */
  public TrainingListener listenerFor(Trial trial) {
    String trialDir = settings.layout().trialDir(trial.id());
    TrainingListener session = new TrainingListener() {
      @Override
      public void onStart(long step) {
        SweepViews.startSession(trialDir, trial.id(), trial.params(), settings.storage());
      }
    };
    return TrainingListener.all(metrics, session);
  }
}
