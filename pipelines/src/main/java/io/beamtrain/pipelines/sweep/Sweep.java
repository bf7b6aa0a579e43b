package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.TrialResult;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The tuning composite of a plain study (GRID, RANDOM, QUASI_RANDOM without median stopping): create
 * the trials and {@link RunTrials} each once to the study's budget. Emits one result per trial,
 * for {@link FinishStudy}. {@code search.TuningStage} decides when a study runs here.
 *
 * <p>{@link #after} chains the sweep behind another step's completion signal with {@code
 * Wait.on}: {@code train} runs preprocessing, the sweep and the export in one pipeline, and no
 * trial may start before the data it trains on is written.
 */
public final class Sweep extends PTransform<PBegin, PCollection<TrialResult>> {
  private final List<Trial> trials;
  private final TrialSettings settings;
  private final PCollection<?> signal;

  private Sweep(List<Trial> trials, TrialSettings settings, PCollection<?> signal) {
    this.trials = List.copyOf(trials);
    this.settings = settings;
    this.signal = signal;
  }

  public static Sweep of(List<Trial> trials, TrialSettings settings) {
    return new Sweep(trials, settings, null);
  }

  /** The same sweep, started only when {@code signal} is complete. */
  public Sweep after(PCollection<?> signal) {
    return new Sweep(trials, settings, signal);
  }

  @Override
  public PCollection<TrialResult> expand(PBegin begin) {
    PCollection<Trial> created =
        begin.apply("CreateTrials", Create.of(trials).withCoder(SerializableCoder.of(Trial.class)));
    if (signal != null) {
      created = created.apply("WaitForData", Wait.on(signal));
    }
    return created.apply("RunTrials", RunTrials.with(settings));
  }
}
