package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.pipelines.OutputLayout;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Once {@code dataWritten} is complete, records the data a run's own preprocessing wrote as the
 * trials' data ({@link DataFingerprint#record}), so {@code train} and {@code retrain} leave the
 * same {@code trials/data.json} as a {@code sweep} over that data; its one output element is the
 * signal the trials wait for.
 */
public final class RecordTrainingData extends PTransform<PBegin, PCollection<String>> {
  private final PCollection<?> dataWritten;
  private final OutputLayout layout;
  private final StorageConfig storage;

  private RecordTrainingData(PCollection<?> dataWritten, OutputLayout layout, StorageConfig storage) {
    this.dataWritten = dataWritten;
    this.layout = layout;
    this.storage = storage;
  }

  public static RecordTrainingData after(PCollection<?> dataWritten, OutputLayout layout, StorageConfig storage) {
    return new RecordTrainingData(dataWritten, layout, storage);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    return begin
        .apply("Data", Create.of(layout.data()).withCoder(StringUtf8Coder.of()))
        .apply("WaitForData", Wait.on(dataWritten))
        .apply("Record", ParDo.of(new RecordFn(layout, storage)));
  }

  private static final class RecordFn extends DoFn<String, String> {
    private final OutputLayout layout;
    private final StorageConfig storage;

    RecordFn(OutputLayout layout, StorageConfig storage) {
      this.layout = layout;
      this.storage = storage;
    }

    @ProcessElement
    public void process(@Element String data, OutputReceiver<String> out) {
      DataFingerprint.record(layout, storage);
      out.output(data);
    }
  }
}
