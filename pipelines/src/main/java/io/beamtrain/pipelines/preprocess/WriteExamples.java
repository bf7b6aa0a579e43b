package io.beamtrain.pipelines.preprocess;

import java.util.Objects;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes one split's rows as GZIP-compressed TFRecord shards of tf.Example, through Beam's {@link
 * TFRecordIO#sink()}: {@code <dataDir>/<split>-00000-of-0000N.tfrecord.gz}. Beam writes each shard
 * to a temporary name and renames it into place when all are done, so a shard never appears half
 * written. With a fixed shard count every shard exists, empty ones included. Output: the full paths
 * of the shards written, once they are all in place.
 */
public final class WriteExamples extends PTransform<PCollection<ParsedRow>, PCollection<String>> {
  /** Suffix of the shards; GZIP adds ".gz". */
  public static final String SHARD_SUFFIX = ".tfrecord";

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
        rows.apply("EncodeExamples", ParDo.of(new EncodeFn(schema)))
            .apply(
                "WriteShards",
                FileIO.<byte[]>write()
                    .via(TFRecordIO.sink())
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

  /** Encodes rows with one {@link ExampleEncoder} per DoFn instance. */
  private static final class EncodeFn extends DoFn<ParsedRow, byte[]> {
    private final DataSchema schema;
    private transient ExampleEncoder encoder;

    EncodeFn(DataSchema schema) {
      this.schema = schema;
    }

    @Setup
    public void setup() {
      encoder = new ExampleEncoder(schema);
    }

    @ProcessElement
    public void process(@Element ParsedRow row, OutputReceiver<byte[]> out) {
      out.output(encoder.encode(row));
    }
  }
}
