package io.beamtrain.pipelines.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.Checkpoint;
import io.beamtrain.checkpointing.CheckpointManager;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.ModelMetrics;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.export.ServingExporter;
import io.beamtrain.trainer.train.BestCheckpoint;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports the winning trial to {@code <output>/best/}: the trainer's {@link ServingExporter}
 * restores the checkpoint of the trial's best step and writes {@code model.meta}, {@code
 * model.ckpt-<step>.*}, {@code checkpoint} and {@code saved_model/}; then {@code best.json} is
 * written last, so its presence means the export is complete. Objects left in {@code best/} by an
 * earlier export of another winner (a checkpoint of another step) are deleted afterwards.
 * best.json's {@code step}, {@code metric.value} and {@code metrics} are that checkpoint's.
 */
public final class BestModelExporter {
  private static final Logger LOG = LoggerFactory.getLogger(BestModelExporter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHECKPOINT_BASENAME = "model.ckpt";

  private final OutputLayout layout;
  private final String dataDir;
  private final MetricSpec metric;
  private final StorageConfig config;

  public BestModelExporter(OutputLayout layout, String dataDir, MetricSpec metric, StorageConfig config) {
    this.layout = layout;
    this.dataDir = dataDir;
    this.metric = metric;
    this.config = config;
  }

  /** Exports {@code best} and returns the contents of best.json. */
  public String export(TrialResult best) {
    Storage storage = Storages.forPath(layout.root(), config);
    Evaluation exported = bestCheckpoint(best);
    String checkpoint =
        StoragePaths.join(layout.trialDir(best.trial()), CHECKPOINT_BASENAME + "-" + exported.step());
    Map<String, Long> before = generations(storage);
    ServingExporter.export(dataDir, best.params(), checkpoint, layout.best(), config);
    String bestJson = bestJson(best, exported, checkpoint);
    storage.writeBytes(layout.bestJson(), bestJson.getBytes(StandardCharsets.UTF_8));
    Map<String, Long> after = generations(storage);
    before.forEach((path, generation) -> {
      if (generation.equals(after.get(path))) {
        LOG.debug("deleting {} left by an earlier export", path);
        storage.delete(path);
      }
    });
    LOG.debug("exported {} (step {}) to {}", best.trial(), exported.step(), layout.best());
    return bestJson;
  }

  /**
   * The checkpoint to export: the trial's best step, which the trainer checkpoints and keep-best
   * retention keeps (selection ranked the trial by its value, so exporting any other step would
   * export another model than the one chosen). Its metrics are the checkpoint's own (its sidecar;
   * the result's for a checkpoint without one).
   *
   * @throws IllegalStateException when the best step has no committed checkpoint: the result was
   *     not reconciled with its directory ({@link BestCheckpoint#reconcile}) or the checkpoint
   *     went missing since
   */
  private Evaluation bestCheckpoint(TrialResult best) {
    String trialDir = layout.trialDir(best.trial());
    List<Checkpoint> committed = CheckpointManager.committedCheckpoints(trialDir, config);
    for (Checkpoint c : committed) {
      if (best.bestStep() != null && c.step() == best.bestStep()) {
        return new Evaluation(c.step(), c.metrics().isEmpty() ? best.metrics() : c.metrics());
      }
    }
    throw new IllegalStateException(best.trial() + ": best_step " + best.bestStep()
        + " has no committed checkpoint in " + trialDir + " (committed steps: "
        + committed.stream().map(Checkpoint::step).toList() + "); run 'beamtrain export' to select"
        + " by the checkpoints that exist");
  }

  private Map<String, Long> generations(Storage storage) {
    Map<String, Long> out = new HashMap<>();
    List<StorageObject> objects = storage.list(StoragePaths.asPrefix(layout.best()));
    for (StorageObject object : objects) {
      out.put(object.path(), object.generation());
    }
    return out;
  }

  private String bestJson(TrialResult best, Evaluation exported, String checkpoint) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("trial", best.trial());
    Map<String, Object> metricNode = new LinkedHashMap<>();
    metricNode.put("name", metric.name());
    metricNode.put("goal", metric.goal().name());
    metricNode.put("value", exported.metric(metric.name()));
    root.put("metric", metricNode);
    root.put("step", exported.step());
    root.put("params", best.params());
    root.put("seed", best.seed());
    root.put("checkpoint", checkpoint);
    Map<String, Double> metrics = new LinkedHashMap<>(exported.metrics());
    // The model metrics are the trial's (the same network at any step), not a checkpoint's.
    best.metrics().forEach((name, value) -> {
      if (ModelMetrics.NAMES.contains(name)) {
        metrics.putIfAbsent(name, value);
      }
    });
    root.put("metrics", finiteOnly(metrics));
    root.put("saved_model", layout.savedModel());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write best.json", e);
    }
  }

  private static Map<String, Double> finiteOnly(Map<String, Double> metrics) {
    Map<String, Double> out = new LinkedHashMap<>();
    metrics.forEach((name, value) -> {
      if (value != null && Double.isFinite(value)) {
        out.put(name, value);
      }
    });
    return out;
  }
}
