package io.beamtrain.pipelines.preprocess;

import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Turns the {@link ShardPart}s of a split into its shards, {@code
 * <dataDir>/<split>-0000s-of-0000N.tfrecord.gz}: a shard of one part (one input file) is that
 * part renamed into place; a shard of several is their records, part after part in input file
 * name order, written to a temporary file and renamed into place. Either way a shard never
 * appears half written, and only the small part descriptors are shuffled, one group per shard,
 * so the shards are committed in parallel. Output: the full paths of the shards. A split with no
 * part (no row) writes no file.
 */
final class CommitShards extends PTransform<PCollection<ShardPart>, PCollection<String>> {
  /** Suffix of the shards: GZIP TFRecord. */
  static final String SHARD_SUFFIX = ".tfrecord.gz";

  private final String dataDir;

  CommitShards(String dataDir) {
    this.dataDir = dataDir;
  }

  @Override
  public PCollection<String> expand(PCollection<ShardPart> parts) {
    return parts
        .apply("ByShard", WithKeys.of(ShardPart::shardName).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(ShardPart.class)))
        .apply("GroupParts", GroupByKey.create())
        .apply("CommitShard", ParDo.of(new CommitShardFn(dataDir)))
        .setCoder(StringUtf8Coder.of());
  }

  private static final class CommitShardFn extends DoFn<KV<String, Iterable<ShardPart>>, String> {
    private final String dataDir;

    CommitShardFn(String dataDir) {
      this.dataDir = dataDir;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<ShardPart>> shard, OutputReceiver<String> out)
        throws IOException {
      List<ShardPart> parts = new ArrayList<>();
      shard.getValue().forEach(parts::add);
      parts.sort(Comparator.comparing(ShardPart::source));
      String path = StoragePaths.join(dataDir, shard.getKey() + SHARD_SUFFIX);
      List<ResourceId> sources = new ArrayList<>();
      parts.forEach(part -> sources.add(FileSystems.matchNewResource(part.path(), false)));
      if (parts.size() == 1) {
        move(sources.get(0), path);
      } else {
        String concatenated =
            StoragePaths.join(
                StoragePaths.join(dataDir, BeamTempFiles.DIRECTORY), UUID.randomUUID().toString());
        try (GzipTfRecordFile file = GzipTfRecordFile.create(concatenated)) {
          for (ShardPart part : parts) {
            copyRecords(part.path(), file);
          }
        }
        move(FileSystems.matchNewResource(concatenated, false), path);
        FileSystems.delete(sources, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      }
      out.output(path);
    }

    private static void copyRecords(String part, GzipTfRecordFile to) throws IOException {
      try (InputStream in =
          new BufferedInputStream(
              new GZIPInputStream(
                  Channels.newInputStream(
                      FileSystems.open(FileSystems.matchNewResource(part, false))),
                  1 << 16),
              1 << 16)) {
        io.beamtrain.trainer.data.TfRecordReader reader =
            new io.beamtrain.trainer.data.TfRecordReader(in, part);
        for (byte[] record = reader.next(); record != null; record = reader.next()) {
          to.write(record);
        }
      }
    }

    /** Renames into place; a retry after the rename finds no source and the shard in place. */
    private static void move(ResourceId from, String to) throws IOException {
      FileSystems.rename(
          List.of(from),
          List.of(FileSystems.matchNewResource(to, false)),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }
}
