package io.beamtrain.pipelines.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Which data the trials of an output were trained on: the SHA-256 of {@code data/transform.json}
 * (which lists every shard with its example count, and the analyzer results the trainer encodes
 * with), recorded in {@code trials/data.json} by the first sweep that trains there (by {@code train} and
 * {@code retrain} once their preprocessing is done: {@link RecordTrainingData}). A later sweep
 * compares it with the data now in place, so trials are never resumed on data preprocessed again
 * under them (see {@link OutputConflicts}). Stateless.
 */
public final class DataFingerprint {
  static final String FILE_NAME = "data.json";
  private static final String FIELD = "transform_sha256";
  private static final ObjectMapper JSON = new ObjectMapper();

  private DataFingerprint() {}

  /** {@code <output>/trials/data.json}. */
  public static String recordPath(OutputLayout layout) {
    return layout.trials() + "/" + FILE_NAME;
  }

  /** The fingerprint of the data now in {@code <output>/data}. */
  static String current(OutputLayout layout, StorageConfig config) {
    String path = layout.transformJson();
    return sha256(Storages.forPath(path, config).readBytes(path));
  }

  /** The fingerprint the trials were trained on, if recorded. */
  static Optional<String> recorded(OutputLayout layout, StorageConfig config) {
    String path = recordPath(layout);
    Optional<byte[]> record = Storages.forPath(path, config).readIfExists(path);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = record.get();
    try {
      JsonNode node = JSON.readTree(bytes).path(FIELD);
      if (!node.isTextual()) {
        throw new IllegalArgumentException("no " + FIELD);
      }
      return Optional.of(node.asText());
    } catch (IOException | IllegalArgumentException e) {
      throw new UsageException(path + ": not a data record (" + e.getMessage()
          + "); delete it to record the data in " + layout.data() + " as the trials' data");
    }
  }

  /** Records the data now in place as the trials' data, unless a record exists. */
  static void recordIfAbsent(OutputLayout layout, StorageConfig config) {
    if (recorded(layout, config).isPresent()) {
      return;
    }
    record(layout, config);
  }

  /**
   * Records the data now in place as the trials' data, replacing any record: for {@code train}
   * and {@code retrain}, which preprocess that data in the same run, just before the trials.
   */
  public static void record(OutputLayout layout, StorageConfig config) {
    String path = recordPath(layout);
    String json = "{\"" + FIELD + "\": \"" + current(layout, config) + "\"}\n";
    Storage storage = Storages.forPath(path, config);
    storage.writeBytes(path, json.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
