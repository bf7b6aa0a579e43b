package io.beamtrain.checkpointing;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checkpoint files found by one listing of a directory (direct children only), grouped by
 * checkpoint name. A listing is a snapshot: it is how a reader checks that the files a state file
 * promises are really there, and how a writer finds orphans.
 */
final class CheckpointListing {
  private final Map<String, Set<String>> filesByName;
  private final Map<String, Instant> newestUpdate;

  private CheckpointListing(Map<String, Set<String>> filesByName, Map<String, Instant> newestUpdate) {
    this.filesByName = filesByName;
    this.newestUpdate = newestUpdate;
  }

  static CheckpointListing of(Storage storage, String directory) {
    String prefix = StoragePaths.asPrefix(directory);
    Map<String, Set<String>> files = new TreeMap<>();
    Map<String, Instant> updates = new TreeMap<>();
    for (StorageObject object : storage.list(prefix)) {
      String relative = object.path().substring(prefix.length());
      if (relative.contains("/")) {
        continue;
      }
      CheckpointFiles.parse(relative)
          .ifPresent(
              p -> {
                files.computeIfAbsent(p.checkpointName(), k -> new TreeSet<>()).add(relative);
                updates.merge(p.checkpointName(), object.updated(), (a, b) -> a.isAfter(b) ? a : b);
              });
    }
    return new CheckpointListing(files, updates);
  }

  /** Checkpoint names that have at least one file. */
  Set<String> names() {
    return Collections.unmodifiableSet(filesByName.keySet());
  }

  List<String> files(String name) {
    return new ArrayList<>(filesByName.getOrDefault(name, Set.of()));
  }

  boolean hasFile(String fileName) {
    return CheckpointFiles.parse(fileName)
        .map(p -> filesByName.getOrDefault(p.checkpointName(), Set.of()).contains(fileName))
        .orElse(false);
  }

  /** Last modification of any of the checkpoint's files. */
  Optional<Instant> updated(String name) {
    return Optional.ofNullable(newestUpdate.get(name));
  }

  /**
   * Whether TensorFlow can restore it: an {@code .index} and every data shard {@code
   * data-0000i-of-N}, i < N, for one N. Problems are described in {@code missing}.
   */
  boolean isComplete(String name, List<String> missing) {
    Set<String> files = filesByName.getOrDefault(name, Set.of());
    if (!files.contains(name + CheckpointFiles.INDEX)) {
      missing.add(name + CheckpointFiles.INDEX);
    }
    int shards = -1;
    Set<Integer> present = new TreeSet<>();
    for (String file : files) {
      Optional<CheckpointFiles.Parsed> p = CheckpointFiles.parse(file);
      if (p.isPresent() && p.get().isData()) {
        shards = Math.max(shards, p.get().shards());
        present.add(p.get().shard());
      }
    }
    if (shards < 0) {
      missing.add(name + CheckpointFiles.SINGLE_DATA_SHARD);
    } else {
      for (int i = 0; i < shards; i++) {
        if (!present.contains(i)) {
          missing.add(name + String.format(".data-%05d-of-%05d", i, shards));
        }
      }
    }
    return missing.isEmpty();
  }

  boolean isComplete(String name) {
    return isComplete(name, new ArrayList<>());
  }
}
