package io.beamtrain.trainer.events;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.data.TfRecordWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Writes a TensorBoard event file, as TensorFlow's {@code tf.summary} / {@code EventsWriter} do:
 * {@code <logDir>/events.out.tfevents.<unix seconds>.<host>}, TFRecord framing with masked CRC32C,
 * the first record an {@code Event} with {@code file_version: "brain.Event:2"}, then one {@code
 * Event{wall_time, step, summary{value{tag, simple_value}}}} per call. TensorBoard reads it from
 * local disk and from {@code gs://}.
 *
 * <p>Like TensorFlow, every writer starts a new file (a resumed trial adds a second file to the
 * directory, and TensorBoard merges them by step); if the name is taken, a {@code .1}, {@code .2}
 * ... suffix keeps it unique.
 *
 * <p>Local files are appended to on {@link #flush()}, so a running TensorBoard tails them. An
 * object store cannot append, so for {@code gs://} the writer keeps the file's bytes in memory and
 * every {@code flush()} uploads the whole object (scalar event files stay small: about 50 bytes a
 * value). Nothing is written before the first flush or {@link #close()}.
 *
 * <p>Thread-safe.
 */
public final class EventFileWriter implements AutoCloseable {
  /** The version record TensorBoard expects first. */
  public static final String FILE_VERSION = "brain.Event:2";

  /** Base name of every events file; TensorBoard picks up files containing "tfevents". */
  public static final String FILE_PREFIX = "events.out.tfevents.";

  private final String path;
  private final Storage storage;
  private final boolean objectStore;
  private final Clock clock;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final TfRecordWriter records = new TfRecordWriter(pending);
  /** For gs://: every byte written so far (the object is rewritten whole). */
  private final ByteArrayOutputStream whole = new ByteArrayOutputStream();
  private boolean closed;

  private EventFileWriter(String path, Storage storage, Clock clock) {
    this.path = path;
    this.storage = storage;
    this.objectStore = StoragePaths.isGcs(path);
    this.clock = clock;
    write(Event.newBuilder().setWallTime(wallTime()).setFileVersion(FILE_VERSION).build());
  }

  /** A new events file in {@code logDir} (local path or {@code gs://} prefix). */
  public static EventFileWriter open(String logDir, StorageConfig config) {
    return open(logDir, config, Clock.systemUTC());
  }

  /** As {@link #open(String, StorageConfig)}, timestamps (and the file name) from {@code clock}. */
  public static EventFileWriter open(String logDir, StorageConfig config, Clock clock) {
    String base =
        StoragePaths.join(
            logDir, FILE_PREFIX + clock.instant().getEpochSecond() + "." + Host.NAME);
    Storage storage = Storages.forPath(base, config);
    String path = base;
    for (int i = 1; storage.exists(path); i++) {
      path = base + "." + i;
    }
    return new EventFileWriter(path, storage, clock);
  }

  /** Where the events go. */
  public String path() {
    return path;
  }

  /** One scalar summary at {@code step}. */
  public void addScalar(String tag, long step, double value) {
    addScalars(step, Map.of(tag, value));
  }

  /** Several scalars at {@code step}, as one Event (as a Keras TensorBoard callback writes). */
  public void addScalars(long step, Map<String, ? extends Number> values) {
    Summary.Builder summary = Summary.newBuilder();
    values.forEach(
        (tag, value) ->
            summary.addValue(
                Summary.Value.newBuilder().setTag(tag).setSimpleValue(value.floatValue())));
    write(Event.newBuilder().setWallTime(wallTime()).setStep(step).setSummary(summary).build());
  }

  /** Makes everything added so far visible at {@link #path()}. */
  public synchronized void flush() {
    if (pending.size() == 0) {
      return;
    }
    byte[] bytes = pending.toByteArray();
    if (objectStore) {
      whole.writeBytes(bytes);
      storage.writeBytes(path, whole.toByteArray());
    } else {
      appendLocal(bytes);
    }
    pending.reset();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      flush();
      closed = true;
    }
  }

  private synchronized void write(Event event) {
    if (closed) {
      throw new IllegalStateException(path + ": event writer is closed");
    }
    records.write(event);
  }

  private void appendLocal(byte[] bytes) {
    Path file = Paths.get(path.startsWith("file://") ? path.substring(7) : path);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out =
          Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot append events", e);
    }
  }

  private double wallTime() {
    Instant now = clock.instant();
    return now.getEpochSecond() + now.getNano() / 1e9;
  }

  /** The host name, looked up once (it may involve DNS). */
  private static final class Host {
    static final String NAME = lookUp();

    private static String lookUp() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        return "localhost";
      }
    }
  }
}
