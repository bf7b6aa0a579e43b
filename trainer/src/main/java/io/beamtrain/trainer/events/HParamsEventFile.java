package io.beamtrain.trainer.events;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.data.TfRecordWriter;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Writes a small, complete TensorBoard events file holding HParams summaries: {@code
 * <logDir>/events.out.tfevents.<unix seconds>.<host>.hparams}, the {@code brain.Event:2} version
 * record first, then one step-0 Event per summary. The file is written whole in one storage write,
 * so on {@code gs://} it appears atomically and nothing is ever appended. Used for the sweep root's
 * experiment summary, where no scalar writer exists, and for the trials' session start and end
 * files (see {@link HParamsSessions}: an end is replaced later, which an appended file cannot
 * do); a name already taken gets a {@code .1}, {@code .2} ... suffix. Stateless and thread-safe.
 */
public final class HParamsEventFile {
  /** Suffix after the host, as TensorFlow's {@code filename_suffix}. */
  public static final String SUFFIX = ".hparams";

  private HParamsEventFile() {}

  /**
   * Writes {@code summaries} to a new events file in {@code logDir} (local path or gs:// prefix),
   * timestamped by {@code clock}; returns the file's path.
   */
  public static String write(
      String logDir, List<Summary> summaries, StorageConfig config, Clock clock) {
    String base =
        StoragePaths.join(
            logDir,
            EventFileWriter.FILE_PREFIX + clock.instant().getEpochSecond() + "." + host() + SUFFIX);
    Storage storage = Storages.forPath(base, config);
    String path = base;
    for (int i = 1; storage.exists(path); i++) {
      path = base + "." + i;
    }
    writeTo(path, summaries, config, clock);
    return path;
  }

  /**
   * Writes {@code summaries} as the whole events file {@code path} (replacing any file there),
   * timestamped by {@code clock}. The name should contain {@code tfevents}, or TensorBoard skips
   * the file.
   */
  public static void writeTo(String path, List<Summary> summaries, StorageConfig config, Clock clock) {
    Instant now = clock.instant();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TfRecordWriter records = new TfRecordWriter(bytes)) {
      records.write(
          Event.newBuilder()
              .setWallTime(HParamsSummaries.seconds(now))
              .setFileVersion(EventFileWriter.FILE_VERSION)
              .build());
      for (Summary summary : summaries) {
        records.write(HParamsSummaries.event(summary, now));
      }
    }
    Storages.forPath(path, config).writeBytes(path, bytes.toByteArray());
  }

  /** Writes the sweep's experiment summary into {@code sweepDir}; returns the file's path. */
  public static String writeExperiment(
      String sweepDir, HParamsExperiment experiment, StorageConfig config, Clock clock) {
    return write(sweepDir, List.of(HParamsSummaries.experiment(experiment)), config, clock);
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
