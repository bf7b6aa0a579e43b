package io.beamtrain.pipelines.sweep;

import io.beamtrain.checkpointing.storage.Storage;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.StorageException;
import io.beamtrain.checkpointing.storage.StorageObject;
import io.beamtrain.checkpointing.storage.StoragePaths;
import io.beamtrain.checkpointing.storage.Storages;
import io.beamtrain.pipelines.OutputLayout;
import io.beamtrain.trainer.TrialResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The sweep's summary files: {@code results.jsonl} (one trial's result.json per line, sorted by
 * trial id, so the same sweep writes the same bytes up to wall-clock fields) and {@code
 * results.csv} (one row per trial: id, status, steps, best step, seed, every metric, every
 * parameter, elapsed seconds, error; RFC 4180 quoting), and reading results back for {@code
 * export}.
 */
public final class ResultsFiles {
  private ResultsFiles() {}

  public static List<TrialResult> sorted(Iterable<TrialResult> results) {
    List<TrialResult> out = new ArrayList<>();
    results.forEach(out::add);
    out.sort(Comparator.comparing(TrialResult::trial));
    return out;
  }

  public static String jsonl(List<TrialResult> results) {
    StringBuilder out = new StringBuilder();
    for (TrialResult result : results) {
      out.append(result.toJson()).append('\n');
    }
    return out.toString();
  }

  public static String csv(List<TrialResult> results) {
    TreeSet<String> metrics = new TreeSet<>();
    TreeSet<String> params = new TreeSet<>();
    for (TrialResult r : results) {
      metrics.addAll(r.metrics().keySet());
      params.addAll(r.params().keySet());
    }
    List<String> header = new ArrayList<>(List.of("trial", "status", "steps", "best_step", "seed"));
    metrics.forEach(header::add);
    params.forEach(p -> header.add("param." + p));
    header.addAll(List.of("elapsed_seconds", "error"));
    StringBuilder out = new StringBuilder();
    appendRow(out, header);
    for (TrialResult r : results) {
      List<String> row = new ArrayList<>();
      row.add(r.trial());
      row.add(r.status().name());
      row.add(Long.toString(r.steps()));
      row.add(r.bestStep() == null ? "" : Long.toString(r.bestStep()));
      row.add(Long.toString(r.seed()));
      for (String metric : metrics) {
        double value = r.metric(metric);
        row.add(Double.isFinite(value) ? Double.toString(value) : "");
      }
      for (String param : params) {
        Object value = r.params().get(param);
        row.add(value == null ? "" : value.toString());
      }
      row.add(String.format(Locale.ROOT, "%.3f", r.elapsedSeconds()));
      row.add(r.error() == null ? "" : r.error());
      appendRow(out, row);
    }
    return out.toString();
  }

  /** Writes results.jsonl and results.csv under the layout's root. */
  public static void write(OutputLayout layout, List<TrialResult> results, StorageConfig config) {
    Storage storage = Storages.forPath(layout.root(), config);
    storage.writeBytes(layout.resultsJsonl(), jsonl(results).getBytes(StandardCharsets.UTF_8));
    storage.writeBytes(layout.resultsCsv(), csv(results).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The results of an output directory: results.jsonl when it exists, else every trial's
   * result.json (a sweep that was interrupted before it summarised). Sorted by trial id.
   */
  public static List<TrialResult> read(OutputLayout layout, StorageConfig config) {
    Storage storage = Storages.forPath(layout.root(), config);
    Optional<String> jsonl = readIfExists(storage, layout.resultsJsonl());
    List<TrialResult> results = new ArrayList<>();
    if (jsonl.isPresent()) {
      String[] lines = jsonl.get().split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (!lines[i].isBlank()) {
          results.add(TrialResult.fromJson(lines[i], layout.resultsJsonl() + " line " + (i + 1)));
        }
      }
      return sorted(results);
    }
    for (StorageObject object : storage.list(StoragePaths.asPrefix(layout.trials()))) {
      if (object.path().endsWith("/" + OutputLayout.RESULT_JSON)) {
        readIfExists(storage, object.path()).ifPresent(text ->
            results.add(TrialResult.fromJson(text, object.path())));
      }
    }
    return sorted(results);
  }

  private static Optional<String> readIfExists(Storage storage, String path) {
    try {
      return Optional.of(new String(storage.readBytes(path), StandardCharsets.UTF_8));
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static void appendRow(StringBuilder out, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      String cell = cells.get(i);
      if (cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0
          || cell.indexOf('\r') >= 0) {
        out.append('"').append(cell.replace("\"", "\"\"")).append('"');
      } else {
        out.append(cell);
      }
    }
    out.append("\r\n");
  }
}
