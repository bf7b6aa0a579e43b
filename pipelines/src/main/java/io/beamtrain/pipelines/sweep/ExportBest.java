package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes the winner chosen by {@link SelectBest} to {@code <output>/best/} with {@link
 * BestModelExporter}; emits the contents of best.json.
 */
public final class ExportBest extends PTransform<PCollection<TrialResult>, PCollection<String>> {
  private final OutputLayout layout;
  private final String dataDir;
  private final MetricSpec metric;
  private final StorageConfig storage;

  private ExportBest(OutputLayout layout, String dataDir, MetricSpec metric, StorageConfig storage) {
    this.layout = layout;
    this.dataDir = dataDir;
    this.metric = metric;
    this.storage = storage;
  }

  public static ExportBest to(OutputLayout layout, String dataDir, MetricSpec metric, StorageConfig storage) {
    return new ExportBest(layout, dataDir, metric, storage);
  }

  @Override
  public PCollection<String> expand(PCollection<TrialResult> best) {
    return best
        .apply("ExportModel", ParDo.of(new ExportFn(layout, dataDir, metric, storage)))
        .setCoder(StringUtf8Coder.of());
  }

  private static final class ExportFn extends DoFn<TrialResult, String> {
    private final OutputLayout layout;
    private final String dataDir;
    private final MetricSpec metric;
    private final StorageConfig storage;

    ExportFn(OutputLayout layout, String dataDir, MetricSpec metric, StorageConfig storage) {
      this.layout = layout;
      this.dataDir = dataDir;
      this.metric = metric;
      this.storage = storage;
    }

    @ProcessElement
    public void process(@Element TrialResult best, OutputReceiver<String> out) {
      out.output(new BestModelExporter(layout, dataDir, metric, storage).export(best));
    }
  }
}
