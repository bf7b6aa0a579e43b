package io.beamtrain.trainer.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.trainer.BadInputException;
import io.beamtrain.trainer.model.HyperParameters;
import io.beamtrain.trainer.TrialRefusedException;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialSpec;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small JSON files of a trial directory (local or {@code gs://}), read and written whole
 * through {@link Storage}, so readers never see a partial file: {@code params.json} (trial id,
 * seed, hyperparameters as given and as resolved) and {@code result.json} ({@link TrialResult}).
 * Thread-safe (stateless apart from the paths).
 */
public final class TrialDirectory {
  public static final String PARAMS_FILE = "params.json";
  public static final String RESULT_FILE = "result.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(TrialDirectory.class);

  private final String directory;
  private final Storage storage;

  public TrialDirectory(String directory, StorageConfig config) {
    this.directory = directory;
    this.storage = Storages.forPath(directory, config);
  }

  public String path() {
    return directory;
  }

  public String paramsPath() {
    return StoragePaths.join(directory, PARAMS_FILE);
  }

  public String resultPath() {
    return StoragePaths.join(directory, RESULT_FILE);
  }

  /** The result.json of an earlier attempt, if any; a corrupt one is a BadInputException. */
  public Optional<TrialResult> readResult() {
    String path = resultPath();
    if (!storage.exists(path)) {
      return Optional.empty();
    }
    String json = new String(storage.readBytes(path), StandardCharsets.UTF_8);
    try {
      return Optional.of(TrialResult.fromJson(json, path));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  public void writeResult(TrialResult result) {
    storage.writeBytes(resultPath(), (result.toPrettyJson() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes the result.json of an attempt that failed, and returns what it wrote: {@code failed}
   * keeping the progress (steps, best step, metrics, history) the result.json there records, so
   * a failed attempt never replaces a trial's history with an empty one. A result.json that does
   * not parse is replaced (warned).
   */
  public TrialResult writeFailure(TrialResult failed) {
    Optional<TrialResult> recorded;
    try {
      recorded = readResult();
    } catch (BadInputException e) {
      LOG.warn("{}: replacing it with the failed result: {}", resultPath(), e.getMessage());
      recorded = Optional.empty();
    }
    TrialResult result =
        recorded.filter(r -> r.trial().equals(failed.trial())).map(failed::keepingProgressOf).orElse(failed);
    writeResult(result);
    return result;
  }

  /**
   * Fails when the directory already holds a different trial (other hyperparameters or seed):
   * resuming it with these settings would restore weights of another model.
   */
  public void checkSameTrial(TrialSpec spec) {
    String path = paramsPath();
    if (!storage.exists(path)) {
      return;
    }
    JsonNode existing;
    try {
      existing = JSON.readTree(storage.readBytes(path));
    } catch (java.io.IOException e) {
      throw new TrialRefusedException(path + ": not valid JSON: " + e.getMessage(), e);
    }
    JsonNode params = JSON.valueToTree(spec.params());
    if (!existing.path("params").equals(params) || existing.path("seed").asLong() != spec.seed()) {
      throw new TrialRefusedException(
          directory
              + " already holds trial "
              + existing.path("trial").asText()
              + " with params "
              + existing.path("params")
              + " and seed "
              + existing.path("seed")
              + "; refusing to resume it as params "
              + params
              + " and seed "
              + spec.seed()
              + " (use another trial directory)");
    }
  }

  /** Writes params.json unless it exists (it then holds the same trial, see checkSameTrial). */
  public void writeParams(TrialSpec spec, HyperParameters resolved) {
    String path = paramsPath();
    if (storage.exists(path)) {
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("trial", spec.trialId());
    root.put("seed", spec.seed());
    root.set("params", JSON.valueToTree(spec.params()));
    root.set("resolved", JSON.valueToTree(resolved.toMap()));
    try {
      storage.writeBytes(
          path,
          (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
              .getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize params of " + spec.trialId(), e);
    }
  }
}
