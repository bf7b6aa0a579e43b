package io.beamtrain.pipelines.predict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.UsageException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The files a {@code predict} run at {@code --predictions=<prefix>} owns: its shards {@code
 * <prefix>-SSSSS-of-NNNNN.jsonl}, its rejected rows {@code <prefix>-rejected/rejected-SSSSS-of-
 * NNNNN.jsonl} and its run record {@code <prefix>-run.json}. Nothing else that merely starts with
 * the same characters ({@code <prefix>-old-00000-of-00001.jsonl} belongs to the prefix {@code
 * <prefix>-old}).
 *
 * <p>A run owns its prefix: it refuses one that holds another run's files (the new shards would
 * mix with old shards of another shard count, and several files cannot be swapped atomically on
 * an object store), and it claims a free prefix by creating the run record only if absent (a
 * generation precondition on gs://), so two runs started at once cannot both write there. A run
 * that fails before writing any output gives the prefix back by deleting the record.
 */
public final class PredictionsPrefix {
  static final String RUN_RECORD_SUFFIX = "-run.json";
  private static final String SHARD = "-\\d{5,}-of-\\d{5,}\\.jsonl";
  /** What follows the prefix in the name of a file the run owns. */
  private static final Pattern OWNED = Pattern.compile(
      "(" + SHARD + "|-rejected/rejected" + SHARD + "|" + Pattern.quote(RUN_RECORD_SUFFIX) + ")");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String prefix;
  private final Storage storage;

  private PredictionsPrefix(String prefix, Storage storage) {
    this.prefix = prefix;
    this.storage = storage;
  }

  /** The prefix {@code --predictions} names; one ending in "/" names no file and is refused. */
  public static PredictionsPrefix of(String prefix, StorageConfig config) {
    if (prefix.isEmpty() || prefix.endsWith("/")) {
      throw new UsageException("--predictions=" + prefix + ": give a file name prefix, e.g. "
          + StoragePaths.join(prefix, "predictions") + " (the files are <prefix>-SSSSS-of-NNNNN.jsonl)");
    }
    return new PredictionsPrefix(prefix, Storages.forPath(prefix, config));
  }

  public String predictions() {
    return prefix;
  }

  /** The prefix of the rejected rows' shards. */
  public String rejected() {
    return StoragePaths.join(prefix + "-rejected", "rejected");
  }

  public String runRecord() {
    return prefix + RUN_RECORD_SUFFIX;
  }

  /** The files of this prefix that exist now (shards, rejected shards, run record), sorted. */
  public List<String> files() {
    // Listing paths come back normalised (absolute, for local disk); compare in that form.
    String listed = StoragePaths.isGcs(prefix) ? prefix : Paths.get(
        prefix.startsWith("file://") ? prefix.substring("file://".length()) : prefix).toAbsolutePath().normalize().toString();
    List<String> owned = new ArrayList<>();
    for (StorageObject object : storage.list(prefix)) {
      String path = object.path();
      if (path.startsWith(listed) && OWNED.matcher(path.substring(listed.length())).matches()) {
        owned.add(path);
      }
    }
    return owned;
  }

  /**
   * Takes the prefix for a new run, recording {@code run} (model, input) in the run record.
   *
   * @throws UsageException naming the prefix and its files when an earlier run's files are there
   */
  public void claim(Map<String, Object> run) {
    List<String> existing = files();
    if (!existing.isEmpty()) {
      throw refusal(existing);
    }
    if (!storage.compareAndSet(runRecord(), json(run, "RUNNING"), StorageObject.NO_GENERATION)) {
      throw refusal(List.of(runRecord()));
    }
  }

  /** Rewrites the run record at the end of a run, e.g. with the row counts. */
  public void record(Map<String, Object> run, String status) {
    storage.writeBytes(runRecord(), json(run, status));
  }

  /**
   * After a failed run: gives the prefix back if the run wrote no output, else marks the record
   * FAILED (the partial output still blocks the prefix, and says why).
   */
  public void releaseAfterFailure(Map<String, Object> run) {
    boolean wroteOutput = files().stream().anyMatch(file -> !file.endsWith(RUN_RECORD_SUFFIX));
    if (wroteOutput) {
      record(run, "FAILED");
    } else {
      storage.delete(runRecord());
    }
  }

  private UsageException refusal(List<String> existing) {
    return new UsageException("--predictions=" + prefix + ": holds the files of an earlier predict run ("
        + existing.get(0) + (existing.size() > 1 ? " and " + (existing.size() - 1) + " more" : "")
        + "); a run owns its prefix and never mixes its lines with another run's: delete that run's"
        + " files (" + prefix + "-SSSSS-of-NNNNN.jsonl, " + prefix + "-rejected/, " + runRecord()
        + ") or choose another prefix");
  }

  private static byte[] json(Map<String, Object> run, String status) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("status", status);
    record.putAll(run);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the run record", e);
    }
  }
}
