package io.beamtrain.pipelines.sweep;

import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * A whole sweep as one composite: create the trials, {@link RunTrials}, then {@link WriteResults}
 * and {@link SelectBest} side by side, and once results.jsonl is written {@link ExportBest}.
 * Emits best.json.
 *
 * <p>{@link #after} chains the sweep behind another step's completion signal with {@code
 * Wait.on}: {@code train} runs preprocessing, the sweep and the export in one pipeline, and no
 * trial may start before the data it trains on is written.
 */
public final class Sweep extends PTransform<PBegin, PCollection<String>> {
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
  public PCollection<String> expand(PBegin begin) {
    PCollection<Trial> created =
        begin.apply("CreateTrials", Create.of(trials).withCoder(SerializableCoder.of(Trial.class)));
    if (signal != null) {
      created = created.apply("WaitForData", Wait.on(signal));
    }
    MetricSpec metric = settings.metric();
    PCollection<TrialResult> results = created.apply("RunTrials", RunTrials.with(settings));
    PCollection<String> written =
        results.apply("WriteResults", WriteResults.to(settings.layout(), settings.storage()));
    // Ranking runs beside the results writer; the winner (or the all-failed error) and the export
    // come only once the results are on record, so a failed sweep still leaves results.jsonl.
    return results
        .apply("SelectBest", SelectBest.by(metric).after(written))
        .apply("ExportBest",
            ExportBest.to(settings.layout(), settings.dataDir(), metric, settings.storage()));
  }
}
