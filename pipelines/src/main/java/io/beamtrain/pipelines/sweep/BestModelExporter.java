package io.beamtrain.pipelines.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.MetricSpec;
import io.beamtrain.trainer.TrialResult;
import io.beamtrain.trainer.TrialResult.Evaluation;
import io.beamtrain.trainer.export.ServingExporter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports the winning trial to {@code <output>/best/}: the trainer's {@link ServingExporter}
 * restores the trial's best checkpoint (the checkpointed evaluation with the best value of the
 * study metric; the trial's best step itself when it was checkpointed) and writes {@code model.meta}, {@code
 * model.ckpt-<step>.*}, {@code checkpoint} and {@code saved_model/}; then {@code best.json} is
 * written last, so its presence means the export is complete. Objects left in {@code best/} by an
 * earlier export of another winner (a checkpoint of another step) are deleted afterwards.
 */
public final class BestModelExporter {
  private static final Logger LOG = LoggerFactory.getLogger(BestModelExporter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHECKPOINT_BASENAME = "model.ckpt";
  private static final Pattern INDEX_FILE = Pattern.compile(Pattern.quote(CHECKPOINT_BASENAME) + "-(\\d+)\\.index");

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
    Evaluation exported = bestCheckpointedEvaluation(best, storage);
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
   * The evaluation to export: the best one (by the study metric, the earlier step on a tie) whose
   * checkpoint is in the trial directory. Evaluations may be more frequent than checkpoints, so
   * the trial's best step need not have one; the trainer keeps the best checkpointed one.
   */
  private Evaluation bestCheckpointedEvaluation(TrialResult best, Storage storage) {
    Set<Long> checkpointed = new HashSet<>();
    String prefix = StoragePaths.join(layout.trialDir(best.trial()), CHECKPOINT_BASENAME + "-");
    for (StorageObject object : storage.list(prefix)) {
      Matcher m = INDEX_FILE.matcher(StoragePaths.fileName(object.path()));
      if (m.matches()) {
        checkpointed.add(Long.parseLong(m.group(1)));
      }
    }
    Evaluation chosen = null;
    for (Evaluation e : best.history()) {
      if (checkpointed.contains(e.step())
          && Double.isFinite(e.metric(metric.name()))
          && (chosen == null || metric.goal().isBetter(e.metric(metric.name()), chosen.metric(metric.name())))) {
        chosen = e;
      }
    }
    if (chosen == null) {
      throw new IllegalStateException(best.trial() + ": no checkpoint of an evaluated step under "
          + layout.trialDir(best.trial()) + " (checkpoints: " + new TreeSet<>(checkpointed) + ")");
    }
    return chosen;
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
    root.put("metrics", finiteOnly(exported.metrics()));
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
