package io.beamtrain.pipelines.report;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a sweep's output directory (local or {@code gs://}) into a {@link SweepSnapshot}:
 *
 * <ul>
 *   <li>the trials of {@code results.jsonl} when it exists (the sweep's final word), plus any
 *       {@code trials/<id>/result.json} of a trial it does not list (a later run adding trials);
 *       without it (the sweep is still running) every {@code trials/<id>/result.json};
 *   <li>the winner from {@code best/best.json}, or else the best trial so far by the metric;
 *   <li>whether the winner's exports ({@code best/saved_model}, {@code best/model.meta}) exist;
 *   <li>when each trial's result.json was last written (the listing's modification times: the
 *       files hold no clock time) and, for multi-objective studies, {@code pareto.json}.
 * </ul>
 *
 * The metric is, in order: the one asked for, the one best.json names, the study's ({@code
 * study.json}, which the sweep writes before its first trial), or one inferred from the names the
 * trials report ({@link MetricChoice#infer}). Only object reads and one listing, so it
 * works the same on an object store. Stateless and thread-safe.
 */
public final class SweepReader {
  private static final Logger LOG = LoggerFactory.getLogger(SweepReader.class);

  static final String RESULTS_FILE = "results.jsonl";
  static final String RESULT_FILE = "result.json";
  static final String TRIALS_DIR = "trials";

  private SweepReader() {}

  /**
   * Reads {@code outputDir}.
   *
   * @param metric the metric to rank by, or null to take it from best.json or the trials
   * @throws IllegalArgumentException when the directory holds no sweep results at all, or a file
   *     is not valid (the message names it)
   */
  public static SweepSnapshot read(
      String outputDir, StorageConfig config, MetricChoice metric, Clock clock) {
    return read("--output", outputDir, config, metric, clock);
  }

  /** As {@link #read(String, StorageConfig, MetricChoice, Clock)}; errors name {@code flag}. */
  static SweepSnapshot read(
      String flag, String outputDir, StorageConfig config, MetricChoice metric, Clock clock) {
    Storage storage = Storages.forPath(outputDir, config);
    Map<String, TrialRecord> trials = new LinkedHashMap<>();
    List<String> sources = new ArrayList<>();

    String resultsPath = StoragePaths.join(outputDir, RESULTS_FILE);
    boolean hasResults = storage.exists(resultsPath);
    if (hasResults) {
      readLines(storage, resultsPath, trials);
      sources.add(RESULTS_FILE);
    }
    String trialsPrefix = StoragePaths.asPrefix(StoragePaths.join(outputDir, TRIALS_DIR));
    List<StorageObject> trialObjects = storage.list(trialsPrefix);
    int perTrial = 0;
    Map<String, Instant> finishedAt = new LinkedHashMap<>();
    for (StorageObject object : trialObjects) {
      // Listings return absolute paths for local directories, so match on the last segments:
      // .../trials/<id>/result.json, not deeper files such as a checkpoint's.
      if (!isTrialResult(object.path())) {
        continue;
      }
      String trialDirName = StoragePaths.fileName(StoragePaths.parent(object.path()));
      if (object.updated() != null) {
        finishedAt.put(trialDirName, object.updated());
      }
      if (hasResults && trials.containsKey(trialDirName)) {
        continue;
      }
      String json = new String(storage.readBytes(object.path()), StandardCharsets.UTF_8);
      TrialRecord trial = ResultJson.trial(json, object.path());
      trials.putIfAbsent(trial.trial(), trial);
      perTrial++;
    }
    if (perTrial > 0) {
      sources.add(TRIALS_DIR + "/*/" + RESULT_FILE + " (" + perTrial + ")");
    }
    if (!hasResults && trialObjects.isEmpty()) {
      throw new IllegalArgumentException(
          flag + "=" + outputDir + ": no " + RESULTS_FILE + " and nothing under " + TRIALS_DIR
              + "/: not a sweep output directory, or no trial has started yet");
    }

    String bestPath = StoragePaths.join(outputDir, "best", "best.json");
    Optional<BestRecord> best =
        storage.exists(bestPath)
            ? Optional.of(
                ResultJson.best(
                    new String(storage.readBytes(bestPath), StandardCharsets.UTF_8), bestPath))
            : Optional.empty();
    String studyPath = StoragePaths.join(outputDir, StudyFile.FILE_NAME);
    StudyFile study =
        storage.exists(studyPath)
            ? StudyFile.parse(new String(storage.readBytes(studyPath), StandardCharsets.UTF_8), studyPath)
            : StudyFile.none();
    String paretoPath = new OutputLayout(outputDir).paretoJson();
    Optional<ParetoRecord> pareto =
        storage.exists(paretoPath)
            ? Optional.of(ParetoRecord.parse(new String(storage.readBytes(paretoPath), StandardCharsets.UTF_8), paretoPath))
            : Optional.empty();
    List<TrialRecord> list = List.copyOf(trials.values());
    MetricChoice chosen = metric;
    if (chosen == null) {
      chosen =
          best.map(b -> new MetricChoice(b.metricName(), b.goal()))
              .or(() -> Optional.ofNullable(study.metric()))
              .orElseGet(() -> MetricChoice.infer(reportedMetrics(list)));
    }
    if (best.isEmpty()) {
      best = bestSoFar(list, chosen);
    }
    LOG.debug("read {} trials of {} from {}", list.size(), outputDir, sources);
    return new SweepSnapshot(
        outputDir,
        String.join(" + ", sources),
        list,
        chosen,
        best,
        exports(storage, outputDir),
        study,
        clock.instant(),
        finishedAt,
        pareto,
        hasResults);
  }

  private static boolean isTrialResult(String path) {
    if (!StoragePaths.fileName(path).equals(RESULT_FILE)) {
      return false;
    }
    String trialDir = StoragePaths.parent(path);
    return StoragePaths.fileName(StoragePaths.parent(trialDir)).equals(TRIALS_DIR);
  }

  private static void readLines(Storage storage, String path, Map<String, TrialRecord> trials) {
    String text = new String(storage.readBytes(path), StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      TrialRecord trial = ResultJson.trial(lines[i], path + ":" + (i + 1));
      trials.put(trial.trial(), trial);
    }
  }

  private static Set<String> reportedMetrics(List<TrialRecord> trials) {
    Set<String> names = new LinkedHashSet<>();
    for (TrialRecord trial : trials) {
      names.addAll(trial.metrics().keySet());
      trial.history().forEach(e -> names.addAll(e.metrics().keySet()));
    }
    return names;
  }

  /** The best trial by the metric at its best step, FAILED trials excluded; ties: first wins. */
  private static Optional<BestRecord> bestSoFar(List<TrialRecord> trials, MetricChoice metric) {
    TrialRecord best = null;
    for (TrialRecord trial : trials) {
      if (trial.status().equals("FAILED")) {
        continue;
      }
      double value = trial.metric(metric.name());
      if (Double.isFinite(value)
          && (best == null || metric.isBetter(value, best.metric(metric.name())))) {
        best = trial;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    return Optional.of(
        new BestRecord(
            best.trial(),
            metric.name(),
            metric.goal(),
            best.metric(metric.name()),
            best.bestStep(),
            best.params(),
            null,
            false));
  }

  private static List<SweepSnapshot.ExportPath> exports(Storage storage, String outputDir) {
    String savedModel = StoragePaths.join(outputDir, "best", "saved_model");
    String meta = StoragePaths.join(outputDir, "best", "model.meta");
    return List.of(
        new SweepSnapshot.ExportPath(
            "SavedModel", savedModel, storage.exists(StoragePaths.join(savedModel, "saved_model.pb"))),
        new SweepSnapshot.ExportPath("meta-graph", meta, storage.exists(meta)));
  }
}
