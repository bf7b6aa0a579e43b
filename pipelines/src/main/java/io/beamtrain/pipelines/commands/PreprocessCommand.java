package io.beamtrain.pipelines.commands;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.PipelineStorage;
import io.beamtrain.pipelines.options.StorageOptions;
import io.beamtrain.pipelines.preprocess.DataStats;
import io.beamtrain.pipelines.preprocess.Preprocess;
import io.beamtrain.pipelines.preprocess.PreprocessSettings;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;

/**
 * {@code beamtrain preprocess} as the command line runs it: bad flags or schema become usage
 * errors, then the {@link Preprocess} composite runs and stats.json is summarised.
 */
public final class PreprocessCommand {
  private PreprocessCommand() {}

  /** Flags of {@code preprocess}: the pipeline's and where gs:// goes. */
  public interface Options extends PreprocessPipeline.Options, StorageOptions {}

  /** Runs preprocessing and returns a short summary for the terminal. */
  public static String run(Options options) {
    StorageConfig storage = PipelineStorage.config(options);
    Preprocess preprocess = TrainPipeline.preprocess(options, storage);
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Preprocess", preprocess);
    String dataDir = StoragePaths.join(options.getOutput(), PreprocessSettings.DATA_DIRECTORY);
    PreprocessPipeline.runAndWait(pipeline);
    String statsPath = StoragePaths.join(dataDir, DataStats.FILE_NAME);
    DataStats stats = DataStats.fromJson(
        new String(Storages.forPath(statsPath, storage).readBytes(statsPath), StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "preprocess: %d rows, %d examples, %d rejected (%.1f%%)%n",
        stats.rows(), stats.examples(), stats.rejected(), 100 * stats.rejectedFraction()));
    stats.splits().forEach((split, s) ->
        out.append(String.format(Locale.ROOT, "  %s: %d examples in %d shards%n",
            split, s.examples(), s.files().size())));
    out.append("data: ").append(dataDir);
    return out.toString();
  }
}
