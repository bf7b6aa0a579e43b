package io.beamtrain.trainer.events;

import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.Summary;

/**
 * A trial as a session of TensorBoard's HParams dashboard: its hyperparameters and group
 * ({@code session_start_info}) and how it ended ({@code session_end_info}), written into the
 * trial's own directory so the dashboard joins them with the trial's scalars. Stateless and
 * thread-safe.
 */
public final class HParamsSessions {
  private HParamsSessions() {}

  /**
   * Writes the session of a trial that {@code TrialRunner.run} returned (or the sweep recorded as
   * FAILED) into {@code trialDir}, as one small events file (see {@link HParamsEventFile}): the
   * start, dated {@code elapsed_seconds} before now, then the end with the trial's status (none
   * for a RUNNING result). Group name: the trial id; model URI: {@code trialDir}. Returns the
   * file's path.
   */
  public static String write(String trialDir, TrialResult result, StorageConfig config, Clock clock) {
    Instant end = clock.instant();
    Instant start = end.minus(Duration.ofMillis(Math.round(Math.max(0, result.elapsedSeconds()) * 1000)));
    List<Summary> summaries = new ArrayList<>();
    summaries.add(HParamsSummaries.sessionStart(result.trial(), result.params(), trialDir, start));
    if (result.status() != TrialStatus.RUNNING) {
      summaries.add(HParamsSummaries.sessionEnd(HParamsSessionStatus.of(result.status()), end));
    }
    return HParamsEventFile.write(trialDir, summaries, config, clock);
  }
}
