package io.beamtrain.pipelines.preprocess;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes one split's rows as GZIP-compressed TFRecord shards of tf.Example, through Beam's {@link
 * TFRecordIO#sink()}: {@code <dataDir>/<split>-00000-of-0000N.tfrecord.gz}. Beam writes each shard
 * to a temporary name and renames it into place when all are done, so a shard never appears half
 * written. Output: the full paths of the shards written, once they are all in place.
 *
 * <p>Rows are encoded into batches of up to {@value #BATCH_RECORDS} records, and batches, not
 * records, are distributed over the shards (see {@link TfRecordBatchSink}), so the shuffle that a
 * fixed shard count needs moves a thousand times fewer elements. Each bundle deals its rows round
 * robin into one open batch per shard, and Beam deals a bundle's batches round robin over the
 * shards, so every shard gets rows whenever there are at least as many rows as shards, and shard
 * sizes stay within a batch of each other. An empty split writes no file.
 */
public final class WriteExamples extends PTransform<PCollection<ParsedRow>, PCollection<String>> {
  /** Suffix of the shards; GZIP adds ".gz". */
  public static final String SHARD_SUFFIX = ".tfrecord";
  /** Most records per batch handed to the file writer. */
  public static final int BATCH_RECORDS = 1000;

  private final String dataDir;
  private final String split;
  private final DataSchema schema;
  private final int numShards;

  private WriteExamples(String dataDir, String split, DataSchema schema, int numShards) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.split = Objects.requireNonNull(split, "split");
    this.schema = Objects.requireNonNull(schema, "schema");
    if (numShards < 1) {
      throw new IllegalArgumentException("the " + split + " shard count must be at least 1");
    }
    this.numShards = numShards;
  }

  /** Writes rows of {@code schema} as the {@code split} shards under {@code dataDir}, one shard. */
  public static WriteExamples to(String dataDir, String split, DataSchema schema) {
    return new WriteExamples(dataDir, split, schema, 1);
  }

  public WriteExamples withNumShards(int shards) {
    return new WriteExamples(dataDir, split, schema, shards);
  }

  @Override
  public PCollection<String> expand(PCollection<ParsedRow> rows) {
    WriteFilesResult<Void> written =
        rows.apply("EncodeExamples", ParDo.of(new EncodeBatchesFn(schema, numShards)))
            .setCoder(ListCoder.of(ByteArrayCoder.of()))
            .apply(
                "WriteShards",
                FileIO.<List<byte[]>>write()
                    .via(new TfRecordBatchSink())
                    .to(dataDir)
                    .withPrefix(split)
                    .withSuffix(SHARD_SUFFIX)
                    .withCompression(Compression.GZIP)
                    .withNumShards(numShards));
    return written
        .getPerDestinationOutputFilenames()
        .apply("ShardPaths", Values.create())
        .setCoder(StringUtf8Coder.of());
  }

  /**
   * Encodes rows into batches of serialized Examples with one {@link ExampleEncoder} per DoFn
   * instance, dealing rows round robin into one open batch per shard; a bundle's partial batches
   * are emitted when it finishes.
   */
  private static final class EncodeBatchesFn extends DoFn<ParsedRow, List<byte[]>> {
    private final DataSchema schema;
    private final int numShards;
    private transient ExampleEncoder encoder;
    private transient List<List<byte[]>> open;
    private transient int next;
    private transient BoundedWindow window;

    EncodeBatchesFn(DataSchema schema, int numShards) {
      this.schema = schema;
      this.numShards = numShards;
    }

    @Setup
    public void setup() {
      encoder = new ExampleEncoder(schema);
    }

    @StartBundle
    public void startBundle() {
      open = new ArrayList<>(numShards);
      for (int i = 0; i < numShards; i++) {
        open.add(new ArrayList<>());
      }
      next = 0;
    }

    @ProcessElement
    public void process(
        @Element ParsedRow row, BoundedWindow elementWindow, OutputReceiver<List<byte[]>> out) {
      window = elementWindow;
      List<byte[]> batch = open.get(next);
      batch.add(encoder.encode(row));
      if (batch.size() >= BATCH_RECORDS) {
        out.output(batch);
        open.set(next, new ArrayList<>());
      }
      next = (next + 1) % numShards;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (List<byte[]> batch : open) {
        if (!batch.isEmpty()) {
          context.output(batch, window.maxTimestamp(), window);
        }
      }
      open = null;
    }
  }
}
