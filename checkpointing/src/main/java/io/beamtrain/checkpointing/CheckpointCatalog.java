package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.StoragePaths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a checkpoint directory holds, read once: the state file (raw bytes with their generation,
 * parsed when valid), one listing of the files, and the metrics sidecars of the listed
 * checkpoints. Resolves which checkpoints are usable:
 *
 * <ul>
 *   <li>valid state file: the checkpoints it lists, in its order, skipping (with a warning) those
 *       whose files are missing;
 *   <li>corrupt state file: a warning naming the file, then every complete checkpoint found by
 *       listing, by step;
 *   <li>no state file: nothing (files there belong to a save that never committed).
 * </ul>
 */
final class CheckpointCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCatalog.class);

  final String directory;
  final String statePath;
  /** Raw state bytes; empty when there is no state file. */
  final Optional<byte[]> stateFile;
  /** The parsed state; empty when absent or corrupt. */
  final Optional<CheckpointState> state;
  /** Why the state file could not be parsed, when it could not. */
  final Optional<CheckpointStateFormatException> corruption;
  final CheckpointListing listing;
  /** Usable checkpoints, oldest first. */
  final List<Checkpoint> checkpoints;
  /** Names the state file lists (relative when inside the directory), usable or not. */
  final List<String> listedNames;

  private CheckpointCatalog(
      String directory,
      Optional<byte[]> stateFile,
      Optional<CheckpointState> state,
      Optional<CheckpointStateFormatException> corruption,
      CheckpointListing listing,
      List<Checkpoint> checkpoints,
      List<String> listedNames) {
    this.directory = directory;
    this.statePath = StoragePaths.join(directory, CheckpointState.FILE_NAME);
    this.stateFile = stateFile;
    this.state = state;
    this.corruption = corruption;
    this.listing = listing;
    this.checkpoints = List.copyOf(checkpoints);
    this.listedNames = List.copyOf(listedNames);
  }

  /** Normalises a directory path: absolute for local paths, no trailing slash. */
  static String normalize(String directory) {
    if (directory == null || directory.isBlank()) {
      throw new IllegalArgumentException("checkpoint directory must not be empty, was '" + directory + "'");
    }
    String trimmed = directory.endsWith("/") && directory.length() > 1
        ? directory.substring(0, directory.length() - 1)
        : directory;
    if (StoragePaths.isGcs(trimmed)) {
      if (trimmed.length() <= StoragePaths.GCS_SCHEME.length()) {
        throw new IllegalArgumentException("checkpoint directory names no bucket: '" + directory + "'");
      }
      return trimmed;
    }
    String plain = trimmed.startsWith("file://") ? trimmed.substring("file://".length()) : trimmed;
    return java.nio.file.Paths.get(plain).toAbsolutePath().normalize().toString();
  }

  static CheckpointCatalog read(Storage storage, String directory, Instant now) {
    String statePath = StoragePaths.join(directory, CheckpointState.FILE_NAME);
    // A plain read: the generation is taken again right before any commit, and a read-only
    // caller should not need what a versioned read may cost (a lock file on local disk).
    Optional<byte[]> raw = storage.readIfExists(statePath);
    CheckpointListing listing = CheckpointListing.of(storage, directory);
    if (raw.isEmpty()) {
      return new CheckpointCatalog(
          directory, raw, Optional.empty(), Optional.empty(), listing, List.of(), List.of());
    }
    CheckpointState state;
    try {
      state = CheckpointState.parse(raw.get(), statePath);
    } catch (CheckpointStateFormatException e) {
      LOG.warn(
          "{}; falling back to the newest complete checkpoint found by listing {}",
          e.getMessage(),
          directory);
      return new CheckpointCatalog(
          directory, raw, Optional.empty(), Optional.of(e), listing,
          fromListing(storage, directory, listing), List.of());
    }
    List<String> names = listedNames(state, directory);
    List<Checkpoint> usable = new ArrayList<>();
    List<Double> times = state.allModelCheckpointTimestamps();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Optional<Long> step = CheckpointFiles.stepOf(name);
      if (step.isEmpty() || name.contains("/")) {
        LOG.warn("{} lists '{}', which is not a <name>-<step> checkpoint in {}; ignoring it", statePath, name, directory);
        continue;
      }
      List<String> missing = new ArrayList<>();
      if (!listing.isComplete(name, missing)) {
        LOG.warn("{} lists {}, but its files are missing ({}); skipping it", statePath, name, missing);
        continue;
      }
      // Python: a timestamp from the future (clock skew) counts as now, so nothing is deleted early.
      double seconds = i < times.size() ? times.get(i) : state.lastPreservedTimestamp();
      Instant time = Timestamps.fromSeconds(seconds);
      if (time.isAfter(now)) {
        time = now;
      }
      usable.add(
          new Checkpoint(step.get(), StoragePaths.join(directory, name), time, metrics(storage, directory, listing, name)));
    }
    return new CheckpointCatalog(
        directory, raw, Optional.of(state), Optional.empty(), listing, usable, names);
  }

  /** The newest usable checkpoint. */
  Optional<Checkpoint> latest() {
    return checkpoints.isEmpty() ? Optional.empty() : Optional.of(checkpoints.get(checkpoints.size() - 1));
  }

  /**
   * The state's checkpoint names, oldest first: {@code all_model_checkpoint_paths} plus {@code
   * model_checkpoint_path} when it is missing from that list (as in files written by {@code
   * Saver.save(..., latest_filename)} with max_to_keep=0). Paths inside the directory become
   * relative names.
   */
  private static List<String> listedNames(CheckpointState state, String directory) {
    List<String> names = new ArrayList<>();
    for (String path : state.allModelCheckpointPaths()) {
      names.add(relative(path, directory));
    }
    if (!state.modelCheckpointPath().isEmpty()) {
      String latest = relative(state.modelCheckpointPath(), directory);
      names.remove(latest);
      names.add(latest);
    }
    return names;
  }

  static String relative(String path, String directory) {
    String prefix = StoragePaths.asPrefix(directory);
    return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
  }

  private static List<Checkpoint> fromListing(Storage storage, String directory, CheckpointListing listing) {
    Map<Long, Checkpoint> byStep = new LinkedHashMap<>();
    for (String name : listing.names()) {
      if (!listing.isComplete(name)) {
        continue;
      }
      long step = CheckpointFiles.stepOf(name).orElseThrow();
      Optional<MetricsSidecar> sidecar = sidecar(storage, directory, listing, name);
      Instant time = sidecar.map(MetricsSidecar::instant)
          .orElseGet(() -> listing.updated(name).orElse(Instant.EPOCH));
      Map<String, Double> metrics = sidecar.map(MetricsSidecar::metrics).orElse(Map.of());
      Checkpoint c = new Checkpoint(step, StoragePaths.join(directory, name), Timestamps.truncate(time), metrics);
      byStep.merge(step, c, (a, b) -> a.timestamp().isAfter(b.timestamp()) ? a : b);
    }
    return byStep.values().stream().sorted(Comparator.comparingLong(Checkpoint::step)).toList();
  }

  private static Map<String, Double> metrics(
      Storage storage, String directory, CheckpointListing listing, String name) {
    return sidecar(storage, directory, listing, name).map(MetricsSidecar::metrics).orElse(Map.of());
  }

  /** The checkpoint's sidecar; a missing or unreadable one only costs its metrics (warned). */
  static Optional<MetricsSidecar> sidecar(
      Storage storage, String directory, CheckpointListing listing, String name) {
    if (!listing.hasFile(name + CheckpointFiles.METRICS)) {
      return Optional.empty();
    }
    String path = StoragePaths.join(directory, name + CheckpointFiles.METRICS);
    try {
      return Optional.of(MetricsSidecar.parse(storage.readBytes(path), path));
    } catch (IllegalArgumentException | StorageException e) {
      LOG.warn("ignoring metrics of {}: {}", name, e.getMessage());
      return Optional.empty();
    }
  }
}
