package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.events.EventFileWriter;
import io.beamtrain.trainer.events.HParamsEventFile;
import io.beamtrain.trainer.events.HParamsSessions;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The views a sweep leaves beside its results: TensorBoard's HParams experiment at the sweep root,
 * one HParams session per trial (started when the trial starts, ended when it ends), and {@code
 * report.html}.
 *
 * <p>They are conveniences on top of results that are already committed, so a failure to write one
 * is logged as a warning and never fails the sweep that produced the results.
 */
public final class SweepViews {
  private static final Logger LOG = LoggerFactory.getLogger(SweepViews.class);

  private SweepViews() {}

  /**
   * Writes the sweep-root HParams experiment from {@code study.json} unless the root already holds
   * one (a retried or re-run study: TensorBoard reads only the first experiment of a run anyway);
   * call after writing study.json.
   */
  public static void writeExperiment(String outputDir, StorageConfig config) {
    try {
      String prefix = StoragePaths.join(outputDir, EventFileWriter.FILE_PREFIX);
      boolean written = Storages.forPath(prefix, config).list(prefix).stream()
          .map(o -> StoragePaths.fileName(o.path()))
          .anyMatch(name -> name.endsWith(HParamsEventFile.SUFFIX) || name.contains(HParamsEventFile.SUFFIX + "."));
      if (!written) {
        StudyHParams.writeExperiment(outputDir, config, Clock.systemUTC());
      }
    } catch (RuntimeException e) {
      LOG.warn("could not write the TensorBoard HParams experiment under {}: {}", outputDir, e.getMessage());
    }
  }

  /**
   * Marks a trial as running in TensorBoard's HParams dashboard: its session start, written once
   * per trial, and no end (see {@link HParamsSessions#start}). Call when it starts training.
   */
  public static void startSession(String trialDir, String trialId, Map<String, ?> params, StorageConfig config) {
    try {
      HParamsSessions.start(trialDir, trialId, params, config, Clock.systemUTC());
    } catch (RuntimeException e) {
      LOG.warn("{}: could not write its TensorBoard HParams session start: {}", trialId, e.getMessage());
    }
  }

  /**
   * Writes how a trial's attempt ended into its HParams session (replacing an earlier rung's end;
   * with a start if it has none, see {@link HParamsSessions#end}).
   */
  public static void writeSession(String trialDir, TrialResult result, StorageConfig config) {
    try {
      HParamsSessions.end(trialDir, result, config, Clock.systemUTC());
    } catch (RuntimeException e) {
      LOG.warn("{}: could not write its TensorBoard HParams session: {}", result.trial(), e.getMessage());
    }
  }

  /** Writes {@code report.html}; returns its path, empty when it could not be written. */
  public static Optional<String> writeReport(String outputDir, MetricSpec metric, StorageConfig config) {
    try {
      return Optional.of(SweepReport.write(
          outputDir, config, new MetricChoice(metric.name(), metric.goal()), Clock.systemUTC()));
    } catch (RuntimeException e) {
      LOG.warn("could not write the sweep report under {}: {}", outputDir, e.getMessage());
      return Optional.empty();
    }
  }
}
