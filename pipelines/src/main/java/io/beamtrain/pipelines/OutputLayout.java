package io.beamtrain.pipelines;

import io.beamtrain.checkpointing.storage.StoragePaths;
import java.io.Serializable;
import java.util.Objects;

/**
 * The paths of the output layout fixed in docs/DESIGN.md, under one root (local or gs://). Pure
 * string operations: nothing here touches storage.
 */
public record OutputLayout(String root) implements Serializable {
  public static final String DATA = "data";
  public static final String TRIALS = "trials";
  public static final String RESULTS_JSONL = "results.jsonl";
  public static final String RESULTS_CSV = "results.csv";
  public static final String STUDY_JSON = "study.json";
  public static final String BEST = "best";
  public static final String BEST_JSON = "best.json";
  public static final String RESULT_JSON = "result.json";
  public static final String SAVED_MODEL = "saved_model";
  public static final String JOB_LOG = "search";

  public OutputLayout {
    Objects.requireNonNull(root, "root");
    root = root.length() > 1 && root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** The preprocessed data: shards, transform.json, stats.json. */
  public String data() {
    return StoragePaths.join(root, DATA);
  }

  public String transformJson() {
    return StoragePaths.join(data(), "transform.json");
  }

  public String trials() {
    return StoragePaths.join(root, TRIALS);
  }

  public String trialDir(String trialId) {
    return StoragePaths.join(trials(), trialId);
  }

  public String resultJson(String trialId) {
    return StoragePaths.join(trialDir(trialId), RESULT_JSON);
  }

  public String resultsJsonl() {
    return StoragePaths.join(root, RESULTS_JSONL);
  }

  public String resultsCsv() {
    return StoragePaths.join(root, RESULTS_CSV);
  }

  /** The study the sweep ran, resolved (defaults, --seed and overrides applied), as JSON. */
  public String studyJson() {
    return StoragePaths.join(root, STUDY_JSON);
  }

  /** The feasible Pareto front of a multi-objective or constrained study ({@code sweep.ParetoFile}). */
  public String paretoJson() {
    return StoragePaths.join(root, "pareto.json");
  }

  public String best() {
    return StoragePaths.join(root, BEST);
  }

  public String bestJson() {
    return StoragePaths.join(best(), BEST_JSON);
  }

  /** The job log of an ASHA search (the search package's {@code JobLog}). */
  public String jobLog() {
    return StoragePaths.join(root, JOB_LOG);
  }

  /** The sweep report, {@code <output>/report.html}. */
  public String reportHtml() {
    return StoragePaths.join(root, "report.html");
  }

  public String savedModel() {
    return StoragePaths.join(best(), SAVED_MODEL);
  }
}
