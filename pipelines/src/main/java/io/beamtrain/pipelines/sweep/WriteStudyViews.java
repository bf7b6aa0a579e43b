package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.report.SweepViews;
import io.beamtrain.trainer.MetricSpec;
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
 * The last step of a study: once best.json is written (its input, one element), gathers it under
 * one key and writes the views over the finished study -- report.html and the sweep root's
 * TensorBoard HParams experiment (see {@link SweepViews}) -- in one DoFn, so a job that nobody
 * waits for (a Flex Template launch on Dataflow) leaves the same files as the CLI. Idempotent on
 * retry: the report is replaced in one write, the experiment written only when the root has none.
 * A view that cannot be written is a warning, never a failed study. Emits best.json unchanged.
 */
public final class WriteStudyViews extends PTransform<PCollection<String>, PCollection<String>> {
  private final OutputLayout layout;
  private final MetricSpec metric;
  private final StorageConfig storage;

  private WriteStudyViews(OutputLayout layout, MetricSpec metric, StorageConfig storage) {
    this.layout = layout;
    this.metric = metric;
    this.storage = storage;
  }

  public static WriteStudyViews of(OutputLayout layout, MetricSpec metric, StorageConfig storage) {
    return new WriteStudyViews(layout, metric, storage);
  }

  @Override
  public PCollection<String> expand(PCollection<String> bestJson) {
    return bestJson
        .apply("OneGroup", WithKeys.<Void, String>of((Void) null))
        .setCoder(KvCoder.of(VoidCoder.of(), StringUtf8Coder.of()))
        .apply("Gather", GroupByKey.create())
        .apply("WriteViews", ParDo.of(new WriteViewsFn(layout, metric, storage)))
        .setCoder(StringUtf8Coder.of());
  }

  private static final class WriteViewsFn extends DoFn<KV<Void, Iterable<String>>, String> {
    private final OutputLayout layout;
    private final MetricSpec metric;
    private final StorageConfig storage;

    WriteViewsFn(OutputLayout layout, MetricSpec metric, StorageConfig storage) {
      this.layout = layout;
      this.metric = metric;
      this.storage = storage;
    }

    @ProcessElement
    public void process(@Element KV<Void, Iterable<String>> best, OutputReceiver<String> out) {
      SweepViews.writeExperiment(layout.root(), storage);
      SweepViews.writeReport(layout.root(), metric, storage);
      best.getValue().forEach(out::output);
    }
  }
}
