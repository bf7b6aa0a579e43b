/**
 * The preprocess pipeline: CSV, JSON Lines, Parquet, Avro or BigQuery input to tf.Example shards
 * plus the files that describe them, under {@code <output>/data/}:
 *
 * <pre>
 *   train-00000-of-0000N.tfrecord.gz   GZIP TFRecord shards of tf.Example, one feature per column
 *   eval-00000-of-0000M.tfrecord.gz
 *   rejected/rejected-*.jsonl          rows that could not be used: file, line, reason, raw text
 *   stats.json                         row, example and rejected counts, missing cells, per split
 *   schema.json                        the schema used (inferred or given), task resolved
 *   transform.json                     analyzer results; written last, it commits the directory
 * </pre>
 *
 * <p>The {@code commands} package's {@code PreprocessPipeline} is the command, {@link
 * io.beamtrain.pipelines.preprocess.Preprocess} the composite other pipelines embed; its steps
 * (ParseAndWrite, one streaming pass per file that parses, splits, accumulates statistics and
 * writes shard parts; CommitShards; {@link io.beamtrain.pipelines.preprocess.AnalyzeColumns}'s
 * merge; {@link io.beamtrain.pipelines.preprocess.WriteRejected}, {@link
 * io.beamtrain.pipelines.preprocess.WriteMetadata}) are transforms of their own; {@link
 * io.beamtrain.pipelines.preprocess.ParseRows}, {@link
 * io.beamtrain.pipelines.preprocess.SplitExamples} and {@link
 * io.beamtrain.pipelines.preprocess.AnalyzeColumns} are the same row-level steps as transforms
 * over row elements.
 */
package io.beamtrain.pipelines.preprocess;
