package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code <output>/report.html} for a finished or running sweep, local or {@code gs://}: the
 * trials table (sortable), learning curves, optimisation history, importance, slices, parallel
 * coordinates and the winner with its exports, in one self-contained page (see {@link
 * ReportPage}). The page replaces any previous report in one storage write, so a reader never sees
 * half a page. Stateless and thread-safe.
 */
public final class SweepReport {
  /** The report's file name in the output directory. */
  public static final String FILE_NAME = "report.html";

  private static final Logger LOG = LoggerFactory.getLogger(SweepReport.class);

  private SweepReport() {}

  /**
   * Reads {@code outputDir} and writes its report; the metric comes from best.json or is inferred
   * from the trials. Returns the report's path.
   */
  public static String write(String outputDir, StorageConfig config) {
    return write(outputDir, config, null, Clock.systemUTC());
  }

  /**
   * As {@link #write(String, StorageConfig)}, ranking by {@code metric} (the study's, when the
   * caller knows it; null to take it from best.json or the trials), timestamps from {@code clock}.
   *
   * @throws IllegalArgumentException when {@code outputDir} holds no sweep results, or a result
   *     file is not valid (the message names it)
   */
  public static String write(String outputDir, StorageConfig config, MetricChoice metric, Clock clock) {
    return write(SweepReader.read(outputDir, config, metric, clock), PageOptions.STATIC, config);
  }

  /** Writes the report of {@code snapshot} to its output directory; returns its path. */
  public static String write(SweepSnapshot snapshot, PageOptions options, StorageConfig config) {
    String html = ReportPage.render(snapshot, options);
    String path = StoragePaths.join(snapshot.outputDir(), FILE_NAME);
    Storages.forPath(path, config).writeBytes(path, html.getBytes(StandardCharsets.UTF_8));
    LOG.debug("wrote {} ({} trials)", path, snapshot.trials().size());
    return path;
  }

  /**
   * Reads the sweeps to compare with {@code main} ({@code --compare}), by {@code main}'s metric so
   * their histories share an axis.
   *
   * @throws IllegalArgumentException when one holds no sweep results (the message names {@code
   *     --compare} and the directory)
   */
  public static List<SweepSnapshot> readCompared(
      List<String> dirs, SweepSnapshot main, StorageConfig config, Clock clock) {
    List<SweepSnapshot> compared = new ArrayList<>();
    for (String dir : dirs) {
      compared.add(SweepReader.read("--compare", dir, config, main.metric(), clock));
    }
    return compared;
  }
}
