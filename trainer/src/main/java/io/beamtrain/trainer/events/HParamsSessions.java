package io.beamtrain.trainer.events;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A trial as one session of TensorBoard's HParams dashboard: its hyperparameters and group
 * ({@code session_start_info}) and how it ended ({@code session_end_info}), written into the
 * trial's own directory (one TensorBoard run) so the dashboard joins them with the trial's
 * scalars. Group name: the trial id; model URI: the trial directory.
 *
 * <p><b>Files.</b> The start is its own events file, {@code
 * events.out.tfevents.<secs>.<host>.hparams}, written once per trial when it first starts, so
 * the dashboard lists the trial as running while it trains. The end is a second file beside it,
 * the start file's name plus {@value #END_SUFFIX}, written when an attempt ends and replaced by
 * the next one. A trial that trains again (a successive-halving rung, a resumed sweep) keeps its
 * one start; its end file is deleted when it starts again and rewritten when it stops, so the
 * directory holds exactly one end, the latest, and the trial's rungs read as one continuous
 * session.
 *
 * <p><b>Why not append a later end.</b> TensorBoard keeps the <em>first</em> summary metadata it
 * reads per run and tag ({@code plugin_event_accumulator._ProcessEvent}: "We only store the first
 * instance of the metadata"), and the HParams plugin reads session start and end from that
 * metadata; a second {@code session_end_info} in the same run would be ignored, not override the
 * first. Replacing the one end file is what lets a later status win. A TensorBoard that already
 * loaded an end keeps showing it until restarted (its loader does not forget metadata); one
 * started later reads the latest.
 *
 * <p>Stateless and thread-safe; a trial directory is written by one trial at a time.
 */
public final class HParamsSessions {
  /** Appended to the start file's name for the end file. */
  public static final String END_SUFFIX = "-end";

  private HParamsSessions() {}

  /**
   * A trial starts (or trains again): writes its session start unless {@code trialDir} already
   * holds one, and deletes its end, if any, so the dashboard shows it running. Returns the start
   * file's path.
   *
   * @param trialId the session group name
   * @param hparams the trial's hyperparameters (see {@link HParamsSummaries#sessionStart})
   */
  public static String start(
      String trialDir, String trialId, Map<String, ?> hparams, StorageConfig config, Clock clock) {
    Storage storage = Storages.forPath(trialDir, config);
    Optional<String> existing = findStart(storage, trialDir);
    if (existing.isPresent()) {
      storage.delete(existing.get() + END_SUFFIX);
      return existing.get();
    }
    return HParamsEventFile.write(
        trialDir,
        List.of(HParamsSummaries.sessionStart(trialId, hparams, trialDir, clock.instant())),
        config,
        clock);
  }

  /**
   * A trial's attempt ended with {@code result}: writes (or replaces) the session end with the
   * result's status, dated now; a RUNNING result has no end. Writes the start first when the
   * trial has none (dated {@code elapsed_seconds} before now), e.g. for a trial that failed
   * before it began training. Returns the path of the end file (of the start for RUNNING).
   */
  public static String end(String trialDir, TrialResult result, StorageConfig config, Clock clock) {
    Storage storage = Storages.forPath(trialDir, config);
    Instant now = clock.instant();
    String start = findStart(storage, trialDir).orElseGet(() -> {
      Instant started = now.minus(Duration.ofMillis(Math.round(Math.max(0, result.elapsedSeconds()) * 1000)));
      return HParamsEventFile.write(
          trialDir,
          List.of(HParamsSummaries.sessionStart(result.trial(), result.params(), trialDir, started)),
          config,
          Clock.fixed(started, clock.getZone()));
    });
    if (result.status() == TrialStatus.RUNNING) {
      return start;
    }
    String end = start + END_SUFFIX;
    HParamsEventFile.writeTo(
        end,
        List.of(HParamsSummaries.sessionEnd(HParamsSessionStatus.of(result.status()), now)),
        config,
        clock);
    return end;
  }

  /** The oldest session start file in {@code trialDir}. */
  static Optional<String> findStart(Storage storage, String trialDir) {
    for (StorageObject object : storage.list(StoragePaths.asPrefix(trialDir))) {
      String name = StoragePaths.fileName(object.path());
      if (isSessionStart(name)) {
        return Optional.of(StoragePaths.join(trialDir, name));
      }
    }
    return Optional.empty();
  }

  /** Whether {@code fileName} is a session start file (not its end, not a scalar events file). */
  static boolean isSessionStart(String fileName) {
    return fileName.startsWith(EventFileWriter.FILE_PREFIX)
        && fileName.contains(HParamsEventFile.SUFFIX)
        && !fileName.endsWith(END_SUFFIX);
  }
}
