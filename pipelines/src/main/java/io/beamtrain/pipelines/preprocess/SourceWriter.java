package io.beamtrain.pipelines.preprocess;

import io.beamtrain.trainer.data.Split;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The accepted rows of one source (an input file, or a bundle of BigQuery rows) on their way to
 * the shards: each row is split by {@link RowFingerprint}, added to that split's statistics
 * accumulator and encoded into temporary shard parts ({@link SplitParts}). Shared by {@link
 * ParseAndWrite} and {@link ReadBigQuery}, so both give the same split, statistics and shards.
 * Not thread-safe: one per source at a time.
 */
final class SourceWriter {
  /** What a finished source gives: its shard parts and its partial statistics, per split. */
  record Output(
      List<ShardPart> trainParts,
      List<ShardPart> evalParts,
      AnalyzeColumns.Accumulator trainStatistics,
      AnalyzeColumns.Accumulator evalStatistics) {}

  private final RowFingerprint fingerprint;
  private final double evalFraction;
  private final AnalyzeColumns.Accumulator trainStatistics;
  private final AnalyzeColumns.Accumulator evalStatistics;
  private final SplitParts train;
  private final SplitParts eval;

  SourceWriter(
      PreprocessSettings settings,
      ExampleEncoder encoder,
      RowFingerprint fingerprint,
      AnalyzeColumns.StatisticsFn statistics) {
    this.fingerprint = fingerprint;
    this.evalFraction = settings.evalFraction();
    this.trainStatistics = statistics.createAccumulator();
    this.evalStatistics = statistics.createAccumulator();
    Semaphore inFlight =
        new Semaphore(
            SplitParts.chunksInFlight(settings.trainShards())
                + SplitParts.chunksInFlight(settings.evalShards()));
    this.train =
        new SplitParts(
            Split.TRAIN.fileName(), settings.trainShards(), settings.dataDir(), encoder,
            inFlight, statistics, trainStatistics);
    this.eval =
        new SplitParts(
            Split.EVAL.fileName(), settings.evalShards(), settings.dataDir(), encoder,
            inFlight, statistics, evalStatistics);
  }

  /** Adds an accepted row to its split. */
  void add(ParsedRow row) {
    if (SplitExamples.isEval(fingerprint.of(row), evalFraction)) {
      eval.add(row);
    } else {
      train.add(row);
    }
  }

  /** Waits for the parts of {@code source} (which orders them in a shard) to be written. */
  Output finish(String source) throws IOException {
    return new Output(train.finish(source), eval.finish(source), trainStatistics, evalStatistics);
  }

  /** Deletes what was written after a failure. */
  void abort() {
    train.abort();
    eval.abort();
  }
}
