package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import java.util.Objects;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes rejected rows as JSON Lines ({@link RejectedRow#toJsonLine()}: file, line, reason, detail,
 * raw) to {@code <dataDir>/rejected/rejected-00000-of-00001.jsonl}, one shard (rejected rows are
 * few, and one file is easiest to read). Nothing is written when no row was rejected; {@code
 * stats.json} always has the count. Output: the path of the file, if written.
 */
public final class WriteRejected
    extends PTransform<PCollection<RejectedRow>, PCollection<String>> {
  /** Subdirectory of the data directory holding the rejected rows. */
  public static final String DIRECTORY = "rejected";

  private final String dataDir;

  private WriteRejected(String dataDir) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
  }

  public static WriteRejected to(String dataDir) {
    return new WriteRejected(dataDir);
  }

  @Override
  public PCollection<String> expand(PCollection<RejectedRow> rejected) {
    return rejected
        .apply("ToJsonLines", MapElements.into(TypeDescriptors.strings()).via(RejectedRow::toJsonLine))
        .apply(
            "WriteJsonLines",
            FileIO.<String>write()
                .via(TextIO.sink())
                .to(StoragePaths.join(dataDir, DIRECTORY))
                .withPrefix("rejected")
                .withSuffix(".jsonl")
                .withNumShards(1))
        .getPerDestinationOutputFilenames()
        .apply("RejectedPaths", Values.create())
        .setCoder(StringUtf8Coder.of());
  }
}
