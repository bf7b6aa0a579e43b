package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.study.StudyObjectives;
import io.beamtrain.trainer.TrialResult;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Gathers every trial's result in one place and writes {@code results.jsonl} and {@code
 * results.csv} (see {@link ResultsFiles}). Emits the path of results.jsonl once written, a signal
 * that later steps can {@code Wait.on}: the best model is exported only after every trial is on
 * record, so a failing export still leaves the results behind.
 */
public final class WriteResults extends PTransform<PCollection<TrialResult>, PCollection<String>> {
  private final OutputLayout layout;
  private final StorageConfig storage;
  private final StudyObjectives objectives;

  private WriteResults(OutputLayout layout, StorageConfig storage, StudyObjectives objectives) {
    this.layout = layout;
    this.storage = storage;
    this.objectives = objectives;
  }

  public static WriteResults to(OutputLayout layout, StorageConfig storage) {
    return new WriteResults(layout, storage, null);
  }

  /** The same, and {@code pareto.json} too when the study has several metrics or constraints ({@link ParetoFile}). */
  public static WriteResults to(OutputLayout layout, StorageConfig storage, StudyObjectives objectives) {
    return new WriteResults(layout, storage, objectives);
  }

  @Override
  public PCollection<String> expand(PCollection<TrialResult> results) {
    return results
        .apply("OneGroup", WithKeys.<Void, TrialResult>of((Void) null))
        .setCoder(KvCoder.of(VoidCoder.of(), TrialResultCoder.of()))
        .apply("GatherResults", GroupByKey.create())
        .apply("WriteFiles", ParDo.of(new WriteFn(layout, storage, objectives)))
        .setCoder(StringUtf8Coder.of());
  }

  private static final class WriteFn extends DoFn<KV<Void, Iterable<TrialResult>>, String> {
    private final OutputLayout layout;
    private final StorageConfig storage;
    private final StudyObjectives objectives;

    WriteFn(OutputLayout layout, StorageConfig storage, StudyObjectives objectives) {
      this.layout = layout;
      this.storage = storage;
      this.objectives = objectives;
    }

    @ProcessElement
    public void process(@Element KV<Void, Iterable<TrialResult>> all, OutputReceiver<String> out) {
      List<TrialResult> sorted = ResultsFiles.sorted(all.getValue());
      ResultsFiles.write(layout, sorted, storage);
      if (objectives != null && !objectives.isSingleMetricOnly()) {
        ParetoFile.write(layout, sorted, objectives, storage);
      }
      out.output(layout.resultsJsonl());
    }
  }
}
