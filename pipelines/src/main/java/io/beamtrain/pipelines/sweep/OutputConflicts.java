package io.beamtrain.pipelines.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.pipelines.UsageException;
import io.beamtrain.pipelines.study.StudySpecWriter;
import io.beamtrain.pipelines.study.Trial;
import io.beamtrain.trainer.train.TrialDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Refuses a run for what its output already holds, before the run writes anything there: an
 * output directory belongs to one study on one data set, and re-running that study resumes it.
 * Refused (a {@link UsageException}, exit status 2, one line naming the file and the first field
 * that differs), with every byte of the output left as it was:
 *
 * <ul>
 *   <li>{@code study.json} records another study: any field of the resolved study differs
 *       ({@code seed} from {@code --seed} included), since the trials, their budgets and the
 *       metric that picks their best checkpoints all follow from it;
 *   <li>a trial directory's {@code params.json} holds other hyperparameters or another seed than
 *       this run's trial of the same id (also when {@code study.json} is gone): resuming it would
 *       restore another model's weights;
 *   <li>{@code data/transform.json} is not the data the trials were trained on ({@link
 *       DataFingerprint}), for runs that train on data already in place.
 * </ul>
 *
 * <p>Without this the refusal came from each trial's worker, which had by then rewritten every
 * result.json, results.jsonl and study.json with the refused run's. The trainer still refuses a
 * conflicting trial directory itself (a run racing this check), and the sweep then fails without
 * writing a result for it (see {@link TrialExecutor}). Stateless.
 */
public final class OutputConflicts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_VALUE_CHARS = 80;

  private OutputConflicts() {}

  /** Checks a plain sweep's plan: its study, its trials and, when already written, its data. */
  public static void check(SweepPlan plan) {
    check(plan, plan.trials());
  }

  /**
   * Checks {@code plan} with {@code trials}, the trials the run may train whose hyperparameters
   * are known before it starts (an adaptive search proposes others as it goes).
   */
  public static void check(SweepPlan plan, List<Trial> trials) {
    OutputLayout layout = plan.layout();
    StorageConfig config = plan.settings().storage();
    Storage storage = Storages.forPath(layout.root(), config);
    checkStudy(layout, StudySpecWriter.toJson(plan.study()), storage);
    checkTrials(layout, trials, storage);
    if (plan.dataWritten()) {
      checkData(layout, config);
    }
  }

  private static void checkStudy(OutputLayout layout, String plannedJson, Storage storage) {
    String path = layout.studyJson();
    Optional<byte[]> recorded = storage.readIfExists(path);
    if (recorded.isEmpty()) {
      return;
    }
    JsonNode before = parse(recorded.get(), path);
    JsonNode now = parse(plannedJson.getBytes(StandardCharsets.UTF_8), "the study");
    Difference difference = firstDifference("", before, now);
    if (difference != null) {
      throw new UsageException("--output=" + layout.root() + " holds another study: " + path + " has "
          + difference.field() + "=" + shown(difference.before()) + ", this run has " + difference.field() + "="
          + shown(difference.now()) + "; re-run with the study and flags that wrote it to resume, or use"
          + " another --output");
    }
  }

  private static void checkTrials(OutputLayout layout, List<Trial> trials, Storage storage) {
    if (trials.isEmpty()) {
      return;
    }
    Map<String, Trial> byId = new HashMap<>();
    trials.forEach(t -> byId.put(t.id(), t));
    // One listing instead of a lookup per trial: most trials of a fresh sweep have no directory.
    for (StorageObject object : storage.list(StoragePaths.asPrefix(layout.trials()))) {
      String path = object.path();
      if (!path.endsWith("/" + TrialDirectory.PARAMS_FILE)) {
        continue;
      }
      Trial trial = byId.get(StoragePaths.fileName(StoragePaths.parent(path)));
      if (trial == null) {
        continue;
      }
      JsonNode held = parse(storage.readBytes(path), path);
      // The trainer's own test (TrialDirectory.checkSameTrial), made before anything is written.
      JsonNode params = JSON.valueToTree(trial.params());
      if (!held.path("params").equals(params)) {
        Difference difference = firstDifference("params", held.path("params"), params);
        throw trialConflict(path, trial, difference);
      }
      if (held.path("seed").asLong() != trial.seed()) {
        throw trialConflict(path, trial,
            new Difference("seed", held.path("seed"), JSON.valueToTree(trial.seed())));
      }
    }
  }

  private static UsageException trialConflict(String path, Trial trial, Difference difference) {
    return new UsageException("--output: " + path + " records " + trial.id() + " with "
        + difference.field() + "=" + shown(difference.before()) + ", this run's has "
        + shown(difference.now()) + "; re-run with the study and flags that wrote it to resume, or use"
        + " another --output");
  }

  private static void checkData(OutputLayout layout, StorageConfig config) {
    Optional<String> trainedOn = DataFingerprint.recorded(layout, config);
    if (trainedOn.isEmpty()) {
      return;
    }
    String now = DataFingerprint.current(layout, config);
    if (!now.equals(trainedOn.get())) {
      throw new UsageException("--output: " + layout.transformJson() + " changed under the trials: its sha256 is "
          + now.substring(0, 12) + "..., " + DataFingerprint.recordPath(layout) + " has transform_sha256="
          + trainedOn.get().substring(0, Math.min(12, trainedOn.get().length())) + "... (the data they were"
          + " trained on); preprocess into another --output, or delete " + layout.trials()
          + " to train afresh");
    }
  }

  /** A field that differs, by path ({@code seed}, {@code parameters[1].max}), and its two values. */
  record Difference(String field, JsonNode before, JsonNode now) {}

  /** The first field (in document order, then by name) whose values differ, or null. */
  static Difference firstDifference(String path, JsonNode before, JsonNode now) {
    if (before.equals(now)) {
      return null;
    }
    if (before.isObject() && now.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      before.fieldNames().forEachRemaining(names::add);
      now.fieldNames().forEachRemaining(names::add);
      // Document order first: the study's own fields read best in the order study.json has them.
      LinkedHashSet<String> ordered = new LinkedHashSet<>();
      for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
        ordered.add(it.next());
      }
      ordered.addAll(names);
      for (String name : ordered) {
        Difference d = firstDifference(path.isEmpty() ? name : path + "." + name,
            before.path(name), now.path(name));
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    if (before.isArray() && now.isArray() && before.size() == now.size()) {
      for (int i = 0; i < before.size(); i++) {
        Difference d = firstDifference(path + "[" + i + "]", before.get(i), now.get(i));
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    if (before.isNumber() && now.isNumber() && before.decimalValue().compareTo(now.decimalValue()) == 0) {
      return null;
    }
    return new Difference(path.isEmpty() ? "<root>" : path, before, now);
  }

  private static String shown(JsonNode value) {
    String text = value.isMissingNode() ? "(none)" : value.toString();
    return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS - 3) + "...";
  }

  private static JsonNode parse(byte[] bytes, String source) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UsageException(source + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
          + "); it is not this tool's, or was cut short: move it away to run here");
    }
  }
}
