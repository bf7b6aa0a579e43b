package io.beamtrain.pipelines.preprocess;

import java.io.Serializable;

/**
 * One input file's share of one output shard: a temporary GZIP TFRecord file at {@code path}
 * holding the rows of {@code source} that {@link ParseAndWrite} dealt to shard {@code shard} of
 * {@code split}. {@link CommitShards} turns the parts of a shard into the shard.
 */
record ShardPart(String split, int shard, int shards, String source, String path)
    implements Serializable {
  /** The shard this part belongs to, e.g. {@code train-00001-of-00003}. */
  String shardName() {
    return String.format(java.util.Locale.ROOT, "%s-%05d-of-%05d", split, shard, shards);
  }
}
